/// The benchmark's input: per order an `order.placed`, an `order.fulfilled` shipping all of it, and a
/// `payment.received` paying part of it, keyed by customer.
enum BenchEvents {
    static func placed(order: Int, customer: String) -> String {
        #"{"specversion":"1.0","id":"bp-\#(order)","source":"/bench","type":"order.placed","data":{"order_id":"BO-\#(order)","customer_id":"\#(customer)","currency":"EUR","order_date":"2026-11-20","payment_terms":{"net_days":30},"purchase_order":"PO-\#(order)","buyer":{"name":"Customer \#(customer)","tax_id":"DE\#(100_000_000 + order % 1000)"},"lines":[{"line_id":"1","sku":"SKU-\#(order % 977)","description":"Widget","quantity":"\#(order % 7 + 1)","unit_price":"\#(order % 9000 / 100).\#(String(order % 100).count == 1 ? "0" : "")\#(order % 100)","tax_rate":"19"},{"line_id":"2","sku":"SKU-B","description":"Manual","quantity":"1","unit_price":"12.50","tax_rate":"7"}]}}"#
    }

    static func fulfilled(order: Int, customer: String, prefix: String = "BS") -> String {
        #"{"specversion":"1.0","id":"bf-\#(prefix)-\#(order)","source":"/bench","type":"order.fulfilled","data":{"shipment_id":"\#(prefix)-\#(order)","order_id":"BO-\#(order)","customer_id":"\#(customer)","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"\#(order % 7 + 1)"},{"line_id":"2","quantity":"1"}]}}"#
    }

    static func paid(order: Int, customer: String) -> String {
        #"{"specversion":"1.0","id":"bpay-\#(order)","source":"/bench","type":"payment.received","data":{"payment_id":"BP-\#(order)","customer_id":"\#(customer)","amount":"10.00","currency":"EUR","received_date":"2026-11-25","references":["BO-\#(order)"]}}"#
    }

    static func customer(_ order: Int) -> String { "BC-\(order % 10_000)" }
}
