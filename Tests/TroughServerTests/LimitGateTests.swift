import Foundation
import SQLKit
import Synchronization
import Testing
import TroughCore
@testable import TroughServer
import TroughStore
import TroughTestSupport

/// The per-instance gate in front of the ledger: reservations given back when dropped, settled once, and the
/// fail-open window while the ledger cannot be reached, on a real database of each driver.
@Suite("Limit gate")
struct LimitGateTests {
    let logger = TestDatabase.logger

    func tenantID(_ db: TestDatabase) async throws -> String {
        try await db.makeTenant(name: "Gate").id
    }

    func quota(_ tenantID: String, limit: Int64, clock: TroughClock) -> LimitGate.Charge {
        let key = LimitKey(tenantID: tenantID, scope: .tenant, scopeID: tenantID, period: LimitPeriod(containing: clock.now()), unit: .requests)
        return LimitGate.Charge(key: key, limit: limit, amount: 1, hard: true)
    }

    /// The ledger's counter for the charge's tenant and period (requests spent and leased).
    func ledger(_ db: TestDatabase, _ charge: LimitGate.Charge) async throws -> LimitCounter? {
        try await db.store.limitCounters(tenantID: charge.key.tenantID, period: charge.key.period.id, logger: logger).first
    }

    /// A gate on `db` with its own clock, for `body`.
    func withGate(_ driver: TestDriver, _ body: @Sendable (TestDatabase, LimitGate, TroughClock) async throws -> Void) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let clock = TroughClock()
            try await body(db, LimitGate(store: db.store, clock: clock, logger: logger), clock)
        }
    }

    /// Reserves `count` requests one after another; returns how many were admitted (the reservations are kept).
    func admit(_ count: Int, _ charge: LimitGate.Charge, gate: LimitGate) async -> [Reservation] {
        var admitted: [Reservation] = []
        for _ in 0..<count {
            if let reservation = try? await gate.reserve([charge]) { admitted.append(reservation) }
        }
        return admitted
    }

    @Test("a request that settles while another one's ledger call starts is counted once, not also as reserved", arguments: PostgresTestServer.drivers)
    func settleDuringLedgerCall(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let clock = TroughClock()
            let first = Mutex<Reservation?>(nil)
            let calls = Atomic<Int>(0)
            // The second ledger call (the second request's, asked for because the lease is used up) starts only
            // after the first request has settled.
            let gate = LimitGate(store: db.store, clock: clock, logger: logger) {
                if calls.add(1, ordering: .relaxed).newValue == 2 { first.withLock { $0 }?.settle(cost: .zero) }
            }
            let charge = quota(try await tenantID(db), limit: 2, clock: clock)
            let one = try await gate.reserve([charge])
            first.withLock { $0 = one }
            // One request settled and one left: the limit of 2 covers it.
            let two = try? await gate.reserve([charge])
            #expect(two != nil, "refused although the limit covered it")
            #expect(calls.load(ordering: .relaxed) >= 2)
            two?.settle(cost: .zero)
            await gate.sync(releaseAll: true)
            #expect(try await ledger(db, charge)?.requests == 2)
            let third = try? await gate.reserve([charge])
            #expect(third == nil, "the third is refused")
        }
    }

    @Test("a reservation dropped without an event gives its worst case back; settling twice counts once", arguments: PostgresTestServer.drivers)
    func droppedAndSettled(driver: TestDriver) async throws {
        try await withGate(driver) { db, gate, clock in
            let charge = quota(try await tenantID(db), limit: 3, clock: clock)

            do {
                let dropped = await admit(3, charge, gate: gate)
                #expect(dropped.count == 3)
                #expect(gate.remaining(charge.key) == 0)
            }
            // All three were released when their reservations went away (a request that recorded nothing).
            #expect(gate.remaining(charge.key) == 3)

            let settled = try await gate.reserve([charge])
            settled.settle(cost: .zero)
            settled.settle(cost: .zero)
            settled.cancel()
            #expect(gate.remaining(charge.key) == 2)
            let rest = await admit(3, charge, gate: gate)
            #expect(rest.count == 2, "the settled request counts once; the limit holds")
            for reservation in rest { reservation.settle(cost: .zero) }

            // What was settled reaches the ledger: 3 requests spent.
            await gate.sync(releaseAll: true)
            let counter = try await ledger(db, charge)
            #expect(counter?.requests == 3)
            #expect(counter?.leasedRequests == 0)
        }
    }

    @Test("while the ledger fails, requests are admitted for 5 s without asking it again; then it is asked, and what was admitted counts", arguments: PostgresTestServer.drivers)
    func failOpenWindow(driver: TestDriver) async throws {
        try await withGate(driver) { db, gate, clock in
            let charge = quota(try await tenantID(db), limit: 2, clock: clock)

            // The ledger's table is gone (a real failure of its transaction): fail open.
            try await db.database.sql.raw("ALTER TABLE limit_leases RENAME TO limit_leases_away").run()
            let admitted = await admit(4, charge, gate: gate)
            #expect(admitted.count == 4, "admitted while the database cannot be asked")
            for reservation in admitted { reservation.settle(cost: .zero) }

            // Back, but inside the window: still admitted without a ledger call.
            try await db.database.sql.raw("ALTER TABLE limit_leases_away RENAME TO limit_leases").run()
            let inWindow = await admit(1, charge, gate: gate)
            #expect(inWindow.count == 1)
            inWindow.first?.settle(cost: .zero)

            // After the window the ledger is asked again: the 5 requests admitted meanwhile are reported, and the
            // limit of 2 is already spent, so the next request is refused.
            clock.set(to: Timestamp.now().adding(seconds: 6))
            let after = await admit(1, charge, gate: gate)
            #expect(after.isEmpty)
            await gate.sync(releaseAll: true)
            #expect(try await ledger(db, charge)?.requests == 5)
        }
    }

    @Test("a busy counter's lease grows with its rate (two seconds' worth, not a fixed 200), and never past a tenth of the limit", arguments: PostgresTestServer.drivers)
    func leaseFollowsRate(driver: TestDriver) async throws {
        try await withGate(driver) { db, gate, clock in
            let busy = quota(try await tenantID(db), limit: 10_000_000, clock: clock)
            let admitted = await admit(3_000, busy, gate: gate)
            #expect(admitted.count == 3_000)
            try await Task.sleep(for: .milliseconds(500))  // the top-up the last reservations started
            let leased = try await ledger(db, busy)?.leasedRequests ?? 0
            #expect(leased - 3_000 > 400, "a lease sized by the rate has room beyond the fixed slice of 200 (spare: \(leased - 3_000))")

            let small = quota(try await db.makeTenant(name: "Small").id, limit: 5_000, clock: clock)
            let smallAdmitted = await admit(400, small, gate: gate)
            #expect(smallAdmitted.count == 400)
            try await Task.sleep(for: .milliseconds(500))
            let smallLeased = try await ledger(db, small)?.leasedRequests ?? 0
            #expect(smallLeased <= 400 + 500, "at most a tenth of the limit beyond what is in use (leased: \(smallLeased))")
            for reservation in admitted + smallAdmitted { reservation.settle(cost: .zero) }
            await gate.sync(releaseAll: true)
        }
    }
}
