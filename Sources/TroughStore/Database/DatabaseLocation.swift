import Foundation

/// Where the store lives, parsed from `TROUGH_DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An embedded SQLite file; its folder is created on first start.
    case sqlite(path: String)
    /// A PostgreSQL server: `postgres://user:pass@host:port/db`.
    case postgres(url: String)

    /// The default: `sqlite://./trough-data/trough.sqlite`.
    public static let defaultURL = "sqlite://./trough-data/trough.sqlite"

    /// Parses `sqlite://PATH` (relative, or absolute as `sqlite:///abs/path`) or `postgres://…` / `postgresql://…`.
    public init?(url: String) {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { return nil }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard let parsed = URL(string: url), parsed.host != nil, parsed.path.count > 1 else { return nil }
            self = .postgres(url: url)
        } else {
            return nil
        }
    }

    public var dialect: SQLDialectKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// A description safe to log: the password of a PostgreSQL URL is masked.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite://\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "****" }
            return components.string ?? "postgres://…"
        }
    }
}

/// The two SQL dialects Trough speaks; the few places that differ switch on this.
public enum SQLDialectKind: String, Sendable {
    case sqlite
    case postgres
}
