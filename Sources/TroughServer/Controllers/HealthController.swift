import Hummingbird
import Logging
import TroughCore

/// `GET /healthz` (the process is up) and `GET /readyz` (the database answers and its schema is current).
struct HealthController {
    let store: any Store

    func addRoutes(to router: Router<TroughRequestContext>) {
        router.get("/healthz") { _, _ in
            HealthStatus(status: "ok")
        }
        router.get("/readyz") { _, context in
            try await ready(context: context)
        }
    }

    func ready(context: TroughRequestContext) async throws -> HealthStatus {
        do {
            try await withTimeout(seconds: 3) {
                try await store.checkReady(logger: context.logger)
            }
            return HealthStatus(status: "ready")
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, type: "not_ready", message: error.message)
        } catch is TimeoutError {
            throw APIError(.serviceUnavailable, type: "not_ready", message: "the database did not answer within 3 seconds")
        } catch {
            throw APIError(.serviceUnavailable, type: "not_ready", message: "the database is unavailable")
        }
    }
}

struct HealthStatus: ResponseEncodable {
    let status: String
}

/// Raised by `withTimeout` when the work took too long.
struct TimeoutError: Error {}

/// Runs `work`, throwing `TimeoutError` (and cancelling it) if it takes longer than `seconds`.
func withTimeout<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
