import CRdKafka

/// A failure reported by librdkafka or by our use of it, typed so callers can tell whether retrying helps.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// A configuration property was rejected; `property` names it.
        case invalidConfiguration
        /// The client could not be created.
        case clientCreation
        /// Subscribing to the input topics failed.
        case subscription
        /// A message could not be enqueued for producing.
        case produce
        /// A message was enqueued but the broker did not acknowledge it.
        case delivery
        /// Committing offsets failed.
        case commit
        /// The embedded (mock) cluster could not be started or changed.
        case embeddedCluster
        /// The client was closed before the operation finished.
        case closed
        /// Any other error reported by librdkafka.
        case broker
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), or 0 when the failure is ours.
    public let code: Int32
    /// librdkafka's symbolic name of the code, such as `_TRANSPORT` or `MSG_SIZE_TOO_LARGE`.
    public let codeName: String
    /// A sentence saying what failed.
    public let message: String
    /// The configuration property at fault, when there is one.
    public let property: String?
    /// Whether the client can no longer be used (a fatal error in librdkafka's sense).
    public let isFatal: Bool
    /// Whether trying the same operation again may succeed.
    public let isRetriable: Bool

    init(
        kind: Kind,
        code: Int32 = 0,
        message: String,
        property: String? = nil,
        isFatal: Bool = false,
        isRetriable: Bool = false
    ) {
        self.kind = kind
        self.code = code
        self.codeName = code == 0 ? "" : String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
        self.message = message
        self.property = property
        self.isFatal = isFatal
        self.isRetriable = isRetriable
    }

    /// Builds an error from a librdkafka response code, classifying it as retriable where the library's
    /// documentation says a later attempt can succeed.
    init(kind: Kind, responseCode: rd_kafka_resp_err_t, context: String, isFatal: Bool = false) {
        let text = String(cString: rd_kafka_err2str(responseCode))
        self.init(
            kind: kind,
            code: responseCode.rawValue,
            message: "\(context): \(text)",
            isFatal: isFatal,
            isRetriable: !isFatal && KafkaError.retriableCodes.contains(responseCode)
        )
    }

    /// Builds an error from an `rd_kafka_error_t`, taking ownership of it (it is destroyed here).
    init(kind: Kind, consuming error: OpaquePointer, context: String) {
        let code = rd_kafka_error_code(error)
        let text = String(cString: rd_kafka_error_string(error))
        let fatal = rd_kafka_error_is_fatal(error) != 0
        let retriable = rd_kafka_error_is_retriable(error) != 0
        rd_kafka_error_destroy(error)
        self.init(
            kind: kind,
            code: code.rawValue,
            message: "\(context): \(text)",
            isFatal: fatal,
            isRetriable: retriable || (!fatal && KafkaError.retriableCodes.contains(code))
        )
    }

    static let retriableCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
    ]

    public var description: String {
        var text = message
        if let property { text += " (property \(property))" }
        if !codeName.isEmpty { text += " [\(codeName)]" }
        if isFatal { text += " [fatal]" } else if isRetriable { text += " [retriable]" }
        return text
    }
}

extension KafkaError {
    /// Builds the error librdkafka's response `code` would give; for tests of the classification.
    public static func fromResponseCodeForTesting(_ code: Int32) -> KafkaError {
        KafkaError(kind: .broker, responseCode: rd_kafka_resp_err_t(code), context: "test")
    }
}
