import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    /// The order with this id as it stands in this batch.
    mutating func loadOrder(_ orderID: String) throws -> OrderRecord? {
        if let changed = changedOrders[orderID] { return changed }
        if let carried = inherited?.orders[orderID] { return carried }
        if let cached = cache.get(orderID) { return cached }
        if let read = start.orders[orderID] { return read }
        if start.absentOrders.contains(orderID) { return nil }
        guard let record = try readOrder(orderID, current: true) else { return nil }
        rememberCommitted(record)
        return record
    }

    /// Puts an order read from the store into the cache of committed orders: only when no batch before
    /// this one is still uncommitted, for only then is what this batch reads (its own changes aside, and
    /// it has none to this order) the committed state, and no other batch's changes reach the cache
    /// meanwhile.
    func rememberCommitted(_ record: OrderRecord) {
        if inherited == nil { cache.remember(record) }
    }

    /// Reads a stored order (one this batch has not touched): as committed, or with `current` as it
    /// stands after this batch's writes so far.
    mutating func readOrder(_ orderID: String, current: Bool) throws -> OrderRecord? {
        var record: OrderRecord?
        try lookup(Self.selectOrder, [.text(orderID)], current: current) { row in
            let order = try Order(data: try JSONDocument(parsing: Array(row.text(2).utf8)).root, defaultPaymentTermDays: Int(row.integer(1)))
            var invoiced: [String: Decimal64] = [:]
            if case .object(let quantities) = try JSONParser.parse(Array(row.text(3).utf8)) {
                for (line, value) in quantities {
                    invoiced[line] = try Decimal64(parsing: value.stringValue ?? "", maxScale: Order.quantityScale)
                }
            }
            record = OrderRecord(order: order, status: OrderRecord.Status(rawValue: row.text(0)) ?? .open, invoicedQuantities: invoiced)
        }
        return record
    }

    /// An order placed in this batch and not written yet, with its data as stored.
    struct NewOrder {
        var record: OrderRecord
        var dataJSON: String
        /// The `order.placed` event it came from.
        let eventKey: String
    }

    /// Stores a new order (known to be absent: a stored one would fail the batch). The row is written
    /// by `writeNewOrder`, with the order as it stands then.
    mutating func insertOrder(_ record: OrderRecord, dataJSON: String, eventKey: String) {
        let orderID = record.order.orderID
        if newOrders.updateValue(NewOrder(record: record, dataJSON: dataJSON, eventKey: eventKey), forKey: orderID) == nil { newOrderIDs.append(orderID) }
        changedOrders[orderID] = record
    }

    /// Writes the row of an order placed in this batch, if it is not written yet: before a row that
    /// refers to it (an invoice), and for the rest at the end of the batch.
    mutating func writeNewOrder(_ orderID: String) {
        guard let new = newOrders.removeValue(forKey: orderID) else { return }
        let record = new.record
        let quantities = record.invoicedQuantitiesJSON
        let at = self.at
        write(Self.insertOrder) {
            $0.text(orderID)
            $0.text(record.order.customerID)
            $0.text(record.order.currency.code)
            $0.text(record.status.rawValue)
            $0.integer(record.order.paymentTermDays)
            $0.text(new.dataJSON)
            $0.text(quantities)
            $0.text(at)
            $0.text(at)
            $0.text(new.eventKey)
        }
    }

    /// Writes the orders placed in this batch that no invoice referred to, in the order placed.
    mutating func writeNewOrders() {
        for orderID in newOrderIDs { writeNewOrder(orderID) }
        newOrderIDs.removeAll()
    }

    /// Stores an order's new status and invoiced quantities, and its data when amended; an order placed
    /// in this batch and not written yet is only changed in memory.
    mutating func updateOrder(_ record: OrderRecord, dataJSON: String? = nil) {
        changedOrders[record.order.orderID] = record
        if var new = newOrders[record.order.orderID] {
            new.record = record
            if let dataJSON { new.dataJSON = dataJSON }
            newOrders[record.order.orderID] = new
            return
        }
        let quantities = record.invoicedQuantitiesJSON
        let at = self.at
        let stored = WriteBuffer.Expectation(changes: 1, subject: "order", key: record.order.orderID, problem: "is not stored")
        guard let dataJSON else {
            // Status and quantities only: the order's data (and its JSON check) stay untouched.
            write(Self.updateOrderStatus, expecting: stored) {
                $0.text(record.status.rawValue)
                $0.text(quantities)
                $0.text(at)
                $0.text(record.order.orderID)
            }
            return
        }
        write(Self.updateOrderData, expecting: stored) {
            $0.text(record.status.rawValue)
            $0.text(quantities)
            $0.text(dataJSON)
            $0.integer(record.order.paymentTermDays)
            $0.text(record.order.currency.code)
            $0.text(at)
            $0.text(record.order.orderID)
        }
    }

    mutating func handlePlaced(_ event: SourcedEvent) throws {
        guard let order = try read(event, as: { $0.order }) else { return }
        switch OrderDecisions.place(order, existing: try loadOrder(order.orderID)) {
        case .record(let record):
            insertOrder(record, dataJSON: event.dataJSON, eventKey: event.envelope.eventKey)
            try recorded(record, event: event)
        case .unchanged:
            outcome.duplicatesSkipped += 1
        case .conflict:
            var stored: String?
            try query(Self.selectOrderEvent.sql, [.text(order.orderID)]) { stored = $0.optionalText(0) }
            try reject(
                event,
                .conflictingDuplicate(
                    "order \(order.orderID)", storedEventKey: stored, eventKey: event.envelope.eventKey,
                    difference: "order.placed with other content; changes to an order go through order.amended"))
        }
    }

    private mutating func recorded(_ record: OrderRecord, event: SourcedEvent) throws {
        let order = record.order
        try audit(
            entity: "order", id: order.orderID, action: "placed",
            detail: ["currency": order.currency.code, "customer_id": order.customerID, "lines": String(order.lines.count)], event: event)
        try releaseWaiting(orderID: order.orderID)
    }

    mutating func handleAmended(_ event: SourcedEvent) throws {
        guard let order = try read(event, as: { $0.order }) else { return }
        switch OrderDecisions.amend(order, existing: try loadOrder(order.orderID)) {
        case .update(let record):
            updateOrder(record, dataJSON: event.dataJSON)
            try audit(entity: "order", id: order.orderID, action: "amended", detail: ["lines": String(order.lines.count)], event: event)
        case .unchanged:
            outcome.duplicatesSkipped += 1
        case .waitForOrder:
            try wait(event, orderID: order.orderID)
        case .reject(let rejection):
            try reject(event, rejection)
        }
    }

    mutating func handleCancelled(_ event: SourcedEvent) throws {
        guard let cancellation = try read(event, as: { $0.cancellation }) else { return }
        switch OrderDecisions.cancel(cancellation, existing: try loadOrder(cancellation.orderID)) {
        case .update(let record):
            updateOrder(record)
            try audit(entity: "order", id: cancellation.orderID, action: "cancelled", detail: ["reason": cancellation.reason ?? ""], event: event)
        case .unchanged:
            outcome.duplicatesSkipped += 1
        case .waitForOrder:
            try wait(event, orderID: cancellation.orderID)
        case .reject(let rejection):
            try reject(event, rejection)
        }
    }

    /// Keeps an event about an order that is not known yet, until `order.placed` for it arrives.
    mutating func wait(_ event: SourcedEvent, orderID: String) throws {
        let record = event.record
        let at = self.at
        write(Self.insertWaiting) {
            $0.text(orderID)
            $0.text(event.envelope.eventKey)
            $0.text(event.envelope.type.rawValue)
            $0.text(record.position.topic)
            $0.integer(record.position.partition)
            $0.integer(record.position.offset)
            $0.blob(record.key)
            $0.blob(record.value ?? [])
            StoredHeaders.write(record.headers, into: &$0)
            $0.integer(record.timestampMilliseconds)
            $0.text(at)
        }
        outcome.eventsWaiting += 1
        waitingAdded.insert(orderID)
        try audit(entity: "order", id: orderID, action: "event_waiting", detail: ["event_type": event.envelope.type.rawValue], event: event)
    }

    /// Processes, in arrival order, the events that waited for this order.
    mutating func releaseWaiting(orderID: String) throws {
        if index.mayHaveWaiting(orderID) == nil {
            try settle()
            index.loadWaiting(Set(try String.fetchAll(db, sql: "SELECT DISTINCT order_id FROM waiting_event")))
        }
        guard index.mayHaveWaiting(orderID) == true || waitingAdded.contains(orderID) || inherited?.waitingAdded.contains(orderID) == true else {
            return
        }
        try settle()
        let rows = try Row.fetchAll(
            try statement("""
                SELECT id, source_topic, source_partition, source_offset, message_key, payload, headers, source_timestamp
                FROM waiting_event WHERE order_id = ? ORDER BY id
                """),
            arguments: [orderID])
        guard !rows.isEmpty else { return }
        waitingReleased.insert(orderID)
        let decoder = EnvelopeDecoder(maxPayloadBytes: .max)
        for row in rows {
            let payload: Data = row["payload"]
            let key: Data? = row["message_key"]
            let record = InputRecord(
                position: LogPosition(topic: row["source_topic"], partition: row["source_partition"], offset: row["source_offset"]),
                key: key.map { Array($0) }, value: Array(payload), headers: try StoredHeaders.decode(row["headers"]),
                timestampMilliseconds: row["source_timestamp"])
            let id: Int64 = row["id"]
            write(Self.deleteWaiting) { $0.integer(id) }
            outcome.eventsReleased += 1
            try dispatch(SourcedEvent(record: record, envelope: try decoder.decode(record.value)))
        }
    }
}

extension OrderRecord {
    /// The invoiced quantities as stored: a JSON object of line id to quantity, keys sorted.
    var invoicedQuantitiesJSON: String {
        JSONValue.stringObjectJSON(invoicedQuantities.map { ($0.key, $0.value.description) })
    }
}

extension BatchWriter {
    static let selectOrder = PipelineStatement(
        "SELECT status, payment_term_days, order_data, invoiced_quantities FROM billing_order WHERE order_id = ?")

    static let selectOrderEvent = PipelineStatement("SELECT event_key FROM billing_order WHERE order_id = ?")

    static let insertOrder = PipelineStatement(
        """
        INSERT INTO billing_order (order_id, customer_id, currency, status, payment_term_days, order_data, invoiced_quantities, created_at, updated_at,
            event_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)

    static let updateOrderStatus = PipelineStatement(
        "UPDATE billing_order SET status = ?, invoiced_quantities = ?, updated_at = ? WHERE order_id = ?")

    static let updateOrderData = PipelineStatement(
        """
        UPDATE billing_order SET status = ?, invoiced_quantities = ?, order_data = ?, payment_term_days = ?, currency = ?, updated_at = ?
        WHERE order_id = ?
        """)

    static let insertWaiting = PipelineStatement(
        """
        INSERT INTO waiting_event (order_id, event_key, event_type, source_topic, source_partition, source_offset,
            message_key, payload, headers, source_timestamp, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (event_key) DO NOTHING
        """)

    static let deleteWaiting = PipelineStatement("DELETE FROM waiting_event WHERE id = ?")
}
