import Foundation
import Testing
import TroughCore
import TroughStore
import TroughTestSupport

/// The lease ledger behind request quotas and budgets, on both drivers.
@Suite("Limit ledger")
struct LimitLedgerTests {
    let logger = TestDatabase.logger

    func tenant(_ db: TestDatabase) async throws -> Tenant {
        try await db.makeTenant(name: "Ledger")
    }

    func change(_ key: LimitKey, limit: Int64, instance: String = "ins_a", lease: String? = nil, consumed: Int64 = 0, need: Int64, want: Int64, release: Bool = false, now: Timestamp = .now(), leaseSeconds: Int64 = 60) -> LeaseChange {
        LeaseChange(key: key, limit: limit, instanceID: instance, leaseID: lease, consumed: consumed, need: need, want: want, release: release, now: now, expiresAt: now.adding(seconds: leaseSeconds))
    }

    @Test("grants never pass the limit: need or nothing, a quarter of what is left, reports move leased to spent", arguments: PostgresTestServer.drivers)
    func grants(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let tenant = try await tenant(db)
            let key = LimitKey(tenantID: tenant.id, scope: .tenant, scopeID: tenant.id, period: LimitPeriod(containing: .now()), unit: .requests)
            // 100 left: asking for 50 gets a quarter (25), since other instances may need some.
            var a = try await db.store.changeLease(change(key, limit: 100, need: 1, want: 50), logger: logger)
            #expect(a.held == 25 && a.spent == 0 && a.leased == 25)
            // Report 25 consumed and ask for 5 more: spent 25, lease holds 5 → leased 5.
            a = try await db.store.changeLease(change(key, limit: 100, lease: a.leaseID, consumed: 25, need: 5, want: 5), logger: logger)
            #expect(a.held == 5 && a.spent == 25 && a.leased == 5)
            // Another instance needs more than is left: it gets nothing.
            let b = try await db.store.changeLease(change(key, limit: 100, instance: "ins_b", need: 71, want: 80), logger: logger)
            #expect(b.held == 0 && b.leased == 5)
            // …but its need is met when it fits, even beyond the quarter.
            let c = try await db.store.changeLease(change(key, limit: 100, instance: "ins_b", need: 70, want: 70), logger: logger)
            #expect(c.held == 70 && c.spent == 25 && c.leased == 75)
            // Nothing left at all.
            let d = try await db.store.changeLease(change(key, limit: 100, instance: "ins_c", need: 1, want: 10), logger: logger)
            #expect(d.held == 0)
            // A release returns what was not consumed.
            let released = try await db.store.changeLease(change(key, limit: 100, lease: c.leaseID, consumed: 10, need: 0, want: 0, release: true), logger: logger)
            #expect(released.leaseID == nil && released.held == 0 && released.spent == 35 && released.leased == 5)
            let counters = try await db.store.limitCounters(tenantID: tenant.id, period: key.period.id, logger: logger)
            #expect(counters.count == 1 && counters.first?.requests == 35 && counters.first?.leasedRequests == 5)
        }
    }

    @Test("a lowered limit shrinks a lease that no longer fits", arguments: PostgresTestServer.drivers)
    func loweredLimit(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let tenant = try await tenant(db)
            let key = LimitKey(tenantID: tenant.id, scope: .tenant, scopeID: tenant.id, period: LimitPeriod(containing: .now()), unit: .requests)
            let lease = try await db.store.changeLease(change(key, limit: 100, need: 1, want: 40), logger: logger)
            #expect(lease.held == 25)
            let trimmed = try await db.store.changeLease(change(key, limit: 10, lease: lease.leaseID, consumed: 4, need: 1, want: 5), logger: logger)
            #expect(trimmed.spent == 4 && trimmed.held == 6 && trimmed.leased == 6)
            let spent = try await db.store.changeLease(change(key, limit: 4, lease: lease.leaseID, consumed: 0, need: 1, want: 1), logger: logger)
            #expect(spent.held == 0 && spent.leased == 0)
        }
    }

    @Test("an expired lease is charged in full to the counter and deleted", arguments: PostgresTestServer.drivers)
    func expiredLeases(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let tenant = try await tenant(db)
            let key = LimitKey(tenantID: tenant.id, scope: .project, scopeID: "prj_x", period: LimitPeriod(containing: .now()), unit: .nanos)
            let now = Timestamp.now()
            let crashed = try await db.store.changeLease(change(key, limit: 1_000, instance: "ins_dead", need: 100, want: 100, now: now, leaseSeconds: 5), logger: logger)
            #expect(crashed.held == 100)
            let later = now.adding(seconds: 10)
            let alive = try await db.store.changeLease(change(key, limit: 1_000, instance: "ins_alive", need: 10, want: 10, now: later), logger: logger)
            #expect(alive.spent == 100 && alive.leased == 10)
            // The dead instance comes back: its lease was charged already, so its report adds nothing.
            let back = try await db.store.changeLease(change(key, limit: 1_000, instance: "ins_dead", lease: crashed.leaseID, consumed: 40, need: 0, want: 0, now: later), logger: logger)
            #expect(back.spent == 100 && back.leased == 10)
        }
    }

    @Test("concurrent leases from many instances never grant past the limit", arguments: PostgresTestServer.drivers)
    func concurrentLeases(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let tenant = try await tenant(db)
            let key = LimitKey(tenantID: tenant.id, scope: .tenant, scopeID: tenant.id, period: LimitPeriod(containing: .now()), unit: .requests)
            let store = db.store
            let granted = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await store.changeLease(change(key, limit: 50, instance: "ins_\(index)", need: 3, want: 3), logger: logger).held
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(granted == 48)
            let counters = try await store.limitCounters(tenantID: tenant.id, period: key.period.id, logger: logger)
            #expect(counters.first?.leasedRequests == 48)
        }
    }

    @Test("a new month's counter starts from the rollups, so spend before a limit existed counts", arguments: PostgresTestServer.drivers)
    func seededFromRollups(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let tenant = try await tenant(db)
            let project = Project(tenantID: tenant.id, name: "P", slug: "p", createdAt: .now())
            try await db.store.createProject(project, logger: logger)
            var events: [RequestEvent] = []
            for _ in 0..<3 {
                var event = RequestEvent(tenantID: tenant.id, projectID: project.id, serviceID: "svc_1", tokenID: "tok_1", occurredAt: .now(), method: "POST", route: "/x", status: 200)
                event.cost = Money(nanos: 7_000)
                events.append(event)
            }
            try await db.store.recordEvents(events, logger: logger)
            let period = LimitPeriod(containing: .now())
            let budget = try await db.store.changeLease(change(LimitKey(tenantID: tenant.id, scope: .project, scopeID: project.id, period: period, unit: .nanos), limit: 100_000, need: 0, want: 0), logger: logger)
            #expect(budget.spent == 21_000)
            let quota = try await db.store.changeLease(change(LimitKey(tenantID: tenant.id, scope: .tenant, scopeID: tenant.id, period: period, unit: .requests), limit: 10, need: 0, want: 0), logger: logger)
            #expect(quota.spent == 3)
        }
    }
}
