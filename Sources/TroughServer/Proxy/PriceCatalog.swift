import Logging
import Synchronization
import TroughCore

/// The prices the proxy uses: the built-in table plus stored imports and tenants' overrides, reloaded when
/// this instance changes them and every minute (for changes made by other instances or the admin CLI).
public final class PriceCatalog: Sendable {
    private let builtIn: PriceTable
    private let current: Mutex<PriceBook>

    public init(builtIn: PriceTable) {
        self.builtIn = builtIn
        self.current = Mutex(PriceBook(shared: builtIn))
    }

    /// The prices as of now.
    public var book: PriceBook { current.withLock { $0 } }

    /// Reads the stored prices again.
    public func reload(from store: any Store, logger: Logger) async throws {
        let stored = try await store.storedPrices(logger: logger)
        let book = PriceBook(builtIn: builtIn, stored: stored)
        current.withLock { $0 = book }
    }
}
