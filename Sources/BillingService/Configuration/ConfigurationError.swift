/// A configuration problem, naming the key (and the environment variable that sets it).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The dotted key, such as `kafka.batch_max_messages`.
    public let key: String
    /// What is wrong with it.
    public let problem: String
    /// Where the value came from, when known (a file path or an environment variable).
    public let origin: String?

    /// Makes an error.
    public init(key: String, problem: String, origin: String? = nil) {
        self.key = key
        self.problem = problem
        self.origin = origin
    }

    /// The environment variable that overrides `key`.
    public static func environmentVariable(for key: String) -> String {
        "BILLINGD_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    public var description: String {
        var text = "configuration key '\(key)' (environment \(Self.environmentVariable(for: key))): \(problem)"
        if let origin { text += " [\(origin)]" }
        return text
    }
}
