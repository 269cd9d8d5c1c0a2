import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    /// The stored order with this id.
    func loadOrder(_ orderID: String) throws -> OrderRecord? {
        if let changed = changedOrders[orderID] { return changed }
        if let cached = cache.get(orderID) { return cached }
        guard let record = try readOrder(orderID) else { return nil }
        cache.remember(record)
        return record
    }

    /// Reads an order as committed (this batch has not touched it).
    private func readOrder(_ orderID: String) throws -> OrderRecord? {
        guard let row = try Row.fetchOne(
            try statement("SELECT status, payment_term_days, order_data, invoiced_quantities FROM billing_order WHERE order_id = ?"),
            arguments: [orderID])
        else { return nil }
        let data = try JSONParser.parse(Array((row["order_data"] as String).utf8))
        let order = try Order(data: data, defaultPaymentTermDays: row["payment_term_days"])
        var invoiced: [String: Decimal64] = [:]
        if case .object(let quantities) = try JSONParser.parse(Array((row["invoiced_quantities"] as String).utf8)) {
            for (line, value) in quantities {
                invoiced[line] = try Decimal64(parsing: value.stringValue ?? "", maxScale: Order.quantityScale)
            }
        }
        return OrderRecord(order: order, status: OrderRecord.Status(rawValue: row["status"]) ?? .open, invoicedQuantities: invoiced)
    }

    mutating func insertOrder(_ record: OrderRecord, dataJSON: String) throws {
        guard try insertOrderIfAbsent(record, dataJSON: dataJSON) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "order \(record.order.orderID) exists already")
        }
    }

    /// Stores an order's new status and invoiced quantities, and its data when amended.
    mutating func updateOrder(_ record: OrderRecord, dataJSON: String? = nil) throws {
        changedOrders[record.order.orderID] = record
        let quantities = JSONValue.stringObjectJSON(record.invoicedQuantities.map { ($0.key, $0.value.description) })
        guard let dataJSON else {
            // Status and quantities only: the order's data (and its JSON check) stay untouched.
            try db.run(
                "UPDATE billing_order SET status = ?, invoiced_quantities = ?, updated_at = ? WHERE order_id = ?",
                [.text(record.status.rawValue), .text(quantities), .text(at), .text(record.order.orderID)])
            return
        }
        try statement("""
                UPDATE billing_order SET status = ?, invoiced_quantities = ?, order_data = ?, payment_term_days = ?, currency = ?, updated_at = ?
                WHERE order_id = ?
                """).execute(
            arguments: [
                record.status.rawValue, quantities, dataJSON, record.order.paymentTermDays, record.order.currency.code, at,
                record.order.orderID,
            ])
    }

    mutating func handlePlaced(_ event: SourcedEvent) throws {
        guard let order = try read(event, as: \.order) else { return }
        // Unknown to the caches: try to insert it; only if a row exists already read it and decide.
        var existing = changedOrders[order.orderID] ?? cache.get(order.orderID)
        if existing == nil {
            let fresh = OrderRecord(order: order)
            if try insertOrderIfAbsent(fresh, dataJSON: event.dataJSON) {
                return try recorded(fresh, event: event)
            }
            existing = try loadOrder(order.orderID)
        }
        switch OrderDecisions.place(order, existing: existing) {
        case .record(let record):
            try insertOrder(record, dataJSON: event.dataJSON)
            try recorded(record, event: event)
        case .unchanged:
            outcome.duplicatesSkipped += 1
        case .reject(let rejection):
            try reject(event, rejection)
        }
    }

    private mutating func recorded(_ record: OrderRecord, event: SourcedEvent) throws {
        let order = record.order
        try audit(
            entity: "order", id: order.orderID, action: "placed",
            detail: ["customer_id": order.customerID, "currency": order.currency.code, "lines": String(order.lines.count)], event: event)
        try releaseWaiting(orderID: order.orderID)
    }

    /// Inserts the order unless one with its id exists; says whether it inserted.
    mutating func insertOrderIfAbsent(_ record: OrderRecord, dataJSON: String) throws -> Bool {
        try db.run(
            """
            INSERT INTO billing_order (order_id, customer_id, currency, status, payment_term_days, order_data, invoiced_quantities, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?) ON CONFLICT (order_id) DO NOTHING
            """,
            [
                .text(record.order.orderID), .text(record.order.customerID), .text(record.order.currency.code), .text(record.status.rawValue),
                .integer(record.order.paymentTermDays), .text(dataJSON), .text(at), .text(at),
            ])
        guard db.changesCount == 1 else { return false }
        changedOrders[record.order.orderID] = record
        return true
    }

    mutating func handleAmended(_ event: SourcedEvent) throws {
        guard let order = try read(event, as: \.order) else { return }
        switch OrderDecisions.amend(order, existing: try loadOrder(order.orderID)) {
        case .update(let record):
            try updateOrder(record, dataJSON: event.dataJSON)
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
        guard let cancellation = try read(event, as: \.cancellation) else { return }
        switch OrderDecisions.cancel(cancellation, existing: try loadOrder(cancellation.orderID)) {
        case .update(let record):
            try updateOrder(record)
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
        try statement("""
                INSERT INTO waiting_event (order_id, event_key, event_type, source_topic, source_partition, source_offset,
                    message_key, payload, headers, source_timestamp, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (event_key) DO NOTHING
                """).execute(
            arguments: [
                orderID, event.envelope.eventKey, event.envelope.type.rawValue, record.position.topic, record.position.partition,
                record.position.offset, record.key.map { Data($0) }, Data(record.value ?? []), StoredHeaders.encode(record.headers),
                record.timestampMilliseconds, at,
            ])
        outcome.eventsWaiting += 1
        waitingAdded.insert(orderID)
        try audit(entity: "order", id: orderID, action: "event_waiting", detail: ["event_type": event.envelope.type.rawValue], event: event)
    }

    /// Processes, in arrival order, the events that waited for this order.
    mutating func releaseWaiting(orderID: String) throws {
        if index.mayHaveWaiting(orderID) == nil {
            index.loadWaiting(Set(try String.fetchAll(db, sql: "SELECT DISTINCT order_id FROM waiting_event")))
        }
        guard index.mayHaveWaiting(orderID) == true || waitingAdded.contains(orderID) else { return }
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
            try statement("DELETE FROM waiting_event WHERE id = ?").execute(arguments: [row["id"] as Int64])
            outcome.eventsReleased += 1
            try dispatch(SourcedEvent(record: record, envelope: try decoder.decode(record.value)))
        }
    }
}
