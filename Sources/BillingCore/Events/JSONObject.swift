/// The members of a JSON object, in the order they were read or built, each name once.
///
/// An array rather than a dictionary: event objects have a handful of members, so a scan finds one
/// faster than hashing its name, and reading an object costs one allocation instead of a hash table.
/// Equality ignores the order, as JSON's does.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element]

    /// An object with no members.
    public init() {
        members = []
    }

    /// The members of a dictionary (in no particular order).
    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { (key: $0.key, value: $0.value) }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    /// Members known to have distinct names, in order (the parser checks them).
    init(distinct members: [Element]) {
        self.members = members
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The member with this name; setting nil removes it, setting a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Element]> { members.makeIterator() }

    /// The members sorted by name, as `jsonBytes` writes them.
    public func sortedByKey() -> [Element] { members.sorted { $0.key < $1.key } }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }
}
