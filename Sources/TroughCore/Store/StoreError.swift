/// An error from a `Store` that callers act on. Not-found is `nil`, never an error.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case conflict
        case unavailable
        case schemaBehind
    }

    private let kind: Kind
    /// What happened, safe to show to the user who caused it.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A unique key is already taken (an email, a slug, a name).
    public static func conflict(_ message: String) -> StoreError { StoreError(.conflict, message) }
    /// The database cannot be reached.
    public static func unavailable(_ message: String) -> StoreError { StoreError(.unavailable, message) }
    /// The schema has migrations that are not applied yet.
    public static func schemaBehind(_ message: String) -> StoreError { StoreError(.schemaBehind, message) }

    public var isConflict: Bool { kind == .conflict }
    public var isUnavailable: Bool { kind == .unavailable }
    public var isSchemaBehind: Bool { kind == .schemaBehind }

    public var description: String { message }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
