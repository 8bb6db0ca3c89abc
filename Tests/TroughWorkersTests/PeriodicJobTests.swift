import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TroughWorkers

@Suite("Periodic jobs")
struct PeriodicJobTests {
    @Test("runs repeatedly, survives a failing run, and stops on graceful shutdown")
    func runsUntilShutdown() async throws {
        let runs = Mutex(0)
        struct Flaky: Error {}
        let job = PeriodicJob(name: "test", interval: .milliseconds(5), logger: Logger(label: "test")) {
            let count = runs.withLock { value -> Int in
                value += 1
                return value
            }
            if count == 2 { throw Flaky() }
        }
        let group = ServiceGroup(configuration: .init(services: [job], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while runs.withLock({ $0 }) < 5 {
                try await Task.sleep(for: .milliseconds(5))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let stoppedAt = runs.withLock { $0 }
        try await Task.sleep(for: .milliseconds(30))
        #expect(runs.withLock { $0 } == stoppedAt)
        #expect(stoppedAt >= 5)
    }
}
