/// `payment.received`: money in from a customer, with what it is meant to pay.
public struct PaymentReceived: Hashable, Sendable {
    public let paymentID: String
    public let customerID: String
    public let amount: Money
    public let receivedDate: BusinessDate
    /// Invoice numbers or order ids from the remittance advice, in the payer's order.
    public let references: [String]

    /// Reads a payment from event data.
    ///
    /// - Throws: `DataError` naming the first bad field.
    public init(data: JSONNode) throws(DataError) {
        let reader = try DataReader(data)
        paymentID = try reader.string("payment_id")
        customerID = try reader.string("customer_id")
        let currency = try reader.currency("currency")
        amount = try reader.money("amount", currency: currency)
        guard amount.minorUnits > 0 else { throw DataError(path: "amount", problem: "must be more than 0") }
        receivedDate = try reader.date("received_date")
        references = try reader.strings("references")
    }
}
