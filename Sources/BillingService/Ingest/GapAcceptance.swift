import BillingKafka
import Foundation

/// An operator's instruction, given at start (`billingd run --accept-gap TOPIC:PARTITION`), to move
/// past the open offset gaps of these partitions.
public struct GapAcceptance: Sendable, Equatable {
    /// The partitions whose gaps to accept.
    public let partitions: [TopicPartition]
    /// Who gave the instruction, for the audit log.
    public let operatorName: String

    /// Parses `TOPIC:PARTITION` arguments.
    ///
    /// - Throws: `GapAcceptanceError` naming the argument that is not of that form.
    public init(arguments: [String], operatorName: String = GapAcceptance.currentOperator()) throws {
        var partitions: [TopicPartition] = []
        for argument in arguments {
            guard let colon = argument.lastIndex(of: ":"), colon != argument.startIndex,
                let number = Int32(argument[argument.index(after: colon)...]), number >= 0
            else {
                throw GapAcceptanceError(argument: argument)
            }
            let partition = TopicPartition(topic: String(argument[..<colon]), partition: number)
            if !partitions.contains(partition) { partitions.append(partition) }
        }
        self.partitions = partitions
        self.operatorName = operatorName
    }

    /// The person running billingd: the user behind sudo, else the login name, else the user id.
    public static func currentOperator() -> String {
        let environment = ProcessInfo.processInfo.environment
        let uid = getuid()
        let name = environment["SUDO_USER"] ?? environment["LOGNAME"] ?? environment["USER"] ?? getpwuid(uid).map { String(cString: $0.pointee.pw_name) }
        return "\(name ?? "unknown") (uid \(uid))"
    }
}

/// A `--accept-gap` that cannot be carried out.
public struct GapAcceptanceError: Error, CustomStringConvertible {
    public let description: String

    init(argument: String) {
        description = "--accept-gap \(argument): expected TOPIC:PARTITION, for example orders:0"
    }

    init(topic: String, partition: Int32, reason: String) {
        description = "cannot accept the offset gap of \(topic):\(partition): \(reason)"
    }
}
