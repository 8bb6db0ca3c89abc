import Foundation
import SQLKit
import Testing
import TroughCore
import TroughStore
import TroughTestSupport

@Suite("Events and rollups")
struct EventStoreTests {
    let logger = TestDatabase.logger

    static func event(_ id: String, at milliseconds: Int64, cost: Int64, model: String = "gpt-4o", status: Int = 200, source: CostSource = .usage) -> RequestEvent {
        var event = RequestEvent(eventID: id, tenantID: "ten_1", projectID: "prj_1", serviceID: "svc_1", tokenID: "tok_1",
                                 occurredAt: Timestamp(milliseconds: milliseconds), method: "POST", route: "/chat/completions", status: status)
        event.provider = "openai"
        event.model = model
        event.inputTokens = 100
        event.outputTokens = 10
        event.cost = Money(nanos: cost)
        event.costSource = source
        event.totalLatencyMicros = 1_000
        return event
    }

    @Test("events page by (time, id): every event once, in order, also when several share a millisecond", arguments: PostgresTestServer.drivers)
    func eventPages(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let times: [Int64] = [5_000, 1_000, 3_000, 3_000, 3_000, 2_000, 4_000, 3_000]
            try await db.store.recordEvents(times.enumerated().map { Self.event("evt_\($0.offset)", at: $0.element, cost: 1) }, logger: logger)
            var seen: [RequestEvent] = []
            var cursor: EventCursor?
            while true {
                let page = try await db.store.eventPage(projectID: "prj_1", tenantID: "ten_1", from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: 10_000), after: cursor, limit: 3, logger: logger)
                seen += page.map(\.event)
                guard page.count == 3, let last = page.last else { break }
                cursor = last.cursor
            }
            #expect(seen.map(\.occurredAt.milliseconds) == times.sorted())
            #expect(Set(seen.map(\.eventID)).count == times.count)
            #expect(try await db.store.eventPage(projectID: "prj_1", tenantID: "ten_other", from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: 10_000), after: nil, limit: 10, logger: logger).isEmpty)
        }
    }

    @Test("events are stored and added to hourly and daily rollups; a replay counts once", arguments: PostgresTestServer.drivers)
    func rollups(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let day: Int64 = 86_400_000 * 20_000
            let batch = [
                Self.event("evt_a", at: day + 1_000, cost: 1_000),
                Self.event("evt_b", at: day + 2_000, cost: 2_500),
                Self.event("evt_c", at: day + 3_600_000 + 5, cost: 7, status: 502, source: .none),
                Self.event("evt_d", at: day + 4_000, cost: 0, model: "mystery", source: .unpriced),
            ]
            try await db.store.recordEvents(batch, logger: logger)
            try await db.store.recordEvents(Array(batch.prefix(2)), logger: logger)  // replayed: ignored
            // A replayed batch with its own copy of a new event, and old ones: the new one stored and counted once.
            let new = Self.event("evt_f", at: day + 5_000, cost: 3)
            try await db.store.recordEvents([new, batch[0], new], logger: logger)

            let stored = try await db.store.events(projectID: "prj_1", tenantID: "ten_1", from: Timestamp(milliseconds: day), to: Timestamp(milliseconds: day + 86_400_000), limit: 100, logger: logger)
            #expect(stored.map(\.eventID) == ["evt_a", "evt_b", "evt_d", "evt_f", "evt_c"])
            #expect(stored.first == batch.first)
            #expect(try await db.store.events(projectID: "prj_1", tenantID: "ten_other", from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: .max), limit: 100, logger: logger).isEmpty)

            let hourly = try await db.database.sql.raw("SELECT bucket_at, model, requests, errors, unpriced, cost_nanos, input_tokens FROM usage_hourly ORDER BY bucket_at, model").all()
            let rows = try hourly.map { row in
                [try row.decode(column: "bucket_at", as: Int64.self), try row.decode(column: "requests", as: Int64.self), try row.decode(column: "errors", as: Int64.self),
                 try row.decode(column: "unpriced", as: Int64.self), try row.decode(column: "cost_nanos", as: Int64.self), try row.decode(column: "input_tokens", as: Int64.self)]
            }
            #expect(rows == [[day, 3, 0, 0, 3_503, 300], [day, 1, 0, 1, 0, 100], [day + 3_600_000, 1, 1, 0, 7, 100]])
            let daily = try await db.database.sql.raw("SELECT CAST(SUM(requests) AS BIGINT) AS r, CAST(SUM(cost_nanos) AS BIGINT) AS c FROM usage_daily WHERE bucket_at = \(bind: day)").first()
            #expect(try daily?.decode(column: "r", as: Int64.self) == 5)
            #expect(try daily?.decode(column: "c", as: Int64.self) == 3_510)

            // A later batch adds to the same rollup rows.
            try await db.store.recordEvents([Self.event("evt_e", at: day + 10, cost: 500)], logger: logger)
            let sum = try await db.database.sql.raw("SELECT cost_nanos FROM usage_hourly WHERE bucket_at = \(bind: day) AND model = 'gpt-4o'").first()
            #expect(try sum?.decode(column: "cost_nanos", as: Int64.self) == 4_003)
        }
    }

    @Test("every column of an event comes back as stored: quotes, backslashes, control characters and non-ASCII text, absent values, extreme integers", arguments: PostgresTestServer.drivers)
    func columnsRoundTrip(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            var full = Self.event("evt_full", at: 1_700_000_000_123, cost: Int64.max)
            full.errorType = "upstream\"timeout\\"
            full.tags = #"{"feature":"chat \"quoted\"","user":"Zoë ✓","tab":"a\tb\u0001"}"#
            full.model = "model/with\\slash\u{1}and\nnewline"
            full.upstreamLatencyMicros = -1
            full.bytesIn = 1 << 40
            full.bytesOut = 0
            full.cachedInputTokens = 7
            full.cacheWriteTokens = 8
            full.reasoningTokens = 9
            full.units = 3
            full.streamed = true
            full.serviceTier = "priority"
            var sparse = Self.event("evt_sparse", at: 1_700_000_000_124, cost: 0, source: .none)
            sparse.serviceID = nil
            sparse.tokenID = nil
            sparse.provider = nil
            sparse.model = nil
            try await db.store.recordEvents([full, sparse], logger: logger)
            let stored = try await db.store.events(projectID: "prj_1", tenantID: "ten_1", from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: .max), limit: 10, logger: logger)
            #expect(stored == [full, sparse])
        }
    }

    @Test("a job's usage is stored once per tenant: a later event for it (another instance, a restart) is kept unbilled", arguments: PostgresTestServer.drivers)
    func jobsBilledOnce(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let day: Int64 = 86_400_000 * 20_001
            func polled(_ id: String, job: String?, tenant: String = "ten_1", cost: Int64 = 5_000) -> RequestEvent {
                var event = Self.event(id, at: day + 1_000, cost: cost)
                event.tenantID = tenant
                event.projectID = tenant == "ten_1" ? "prj_1" : "prj_2"
                event.jobID = job
                event.serviceTier = "batch"
                return event
            }
            // Instance A bills the finished batch; in the same batch a second poll of it comes unbilled.
            try await db.store.recordEvents([polled("evt_j1", job: "batch_1"), polled("evt_j2", job: "batch_1"), polled("evt_plain", job: nil)], logger: logger)
            // Instance B (or A after a restart) bills it again: stored without usage. A replay of A's event keeps it.
            try await db.store.recordEvents([polled("evt_j3", job: "batch_1"), polled("evt_j1", job: "batch_1")], logger: logger)
            // Another tenant's job of the same id is its own.
            try await db.store.recordEvents([polled("evt_j4", job: "batch_1", tenant: "ten_2", cost: 7)], logger: logger)

            let stored = try await db.store.events(projectID: "prj_1", tenantID: "ten_1", from: Timestamp(milliseconds: day), to: Timestamp(milliseconds: day + 86_400_000), limit: 100, logger: logger)
            let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.eventID, $0) })
            #expect(stored.count == 4)
            #expect(byID["evt_j1"]?.cost == Money(nanos: 5_000) && byID["evt_j1"]?.costSource == .usage && byID["evt_j1"]?.inputTokens == 100)
            #expect(byID["evt_plain"]?.cost == Money(nanos: 5_000))
            for id in ["evt_j2", "evt_j3"] {
                let event = try #require(byID[id])
                #expect(event.cost == .zero && event.costSource == .none && event.inputTokens == 0 && event.outputTokens == 0 && event.serviceTier == nil)
                #expect(event.status == 200 && event.model == "gpt-4o", "the request itself is still recorded")
            }
            let totals = try await db.database.sql.raw("SELECT tenant_id, CAST(SUM(requests) AS BIGINT) AS r, CAST(SUM(cost_nanos) AS BIGINT) AS c, CAST(SUM(input_tokens) AS BIGINT) AS i FROM usage_daily WHERE bucket_at = \(bind: day) GROUP BY tenant_id ORDER BY tenant_id").all()
            let rows = try totals.map { [try $0.decode(column: "r", as: Int64.self), try $0.decode(column: "c", as: Int64.self), try $0.decode(column: "i", as: Int64.self)] }
            #expect(rows == [[4, 10_000, 200], [1, 7, 100]])
            let claims = try await db.database.sql.raw("SELECT tenant_id, job_id, event_id FROM billed_jobs ORDER BY tenant_id").all()
            #expect(try claims.map { try $0.decode(column: "event_id", as: String.self) } == ["evt_j1", "evt_j4"])
            // A deleted tenant's claims go with its events.
            _ = try await db.store.deleteTenant(id: "ten_2", logger: logger)
            let left = try await db.database.sql.raw("SELECT event_id FROM billed_jobs").all()
            #expect(try left.map { try $0.decode(column: "event_id", as: String.self) } == ["evt_j1"])
        }
    }
}

extension EventStoreTests {
    @Test("job claims older than the cut-off are forgotten, newer ones kept", arguments: PostgresTestServer.drivers)
    func forgetBilledJobs(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let now = Timestamp.now()
            for (job, age) in [("old", Int64(400 * 86_400 + 60)), ("recent", Int64(86_400)), ("new", Int64(0))] {
                try await db.database.sql.insert(into: "billed_jobs")
                    .columns("tenant_id", "job_id", "event_id", "billed_at")
                    .values(SQLBind("ten_1"), SQLBind(job), SQLBind("evt_\(job)"), SQLBind(now.adding(seconds: -age).milliseconds))
                    .run()
            }
            let cutoff = now.adding(seconds: -Int64(DeferredUsage.claimRetentionDays) * 86_400)
            #expect(try await db.store.forgetBilledJobs(before: cutoff, logger: TestDatabase.logger) == 1)
            #expect(try await !db.store.jobBilled(tenantID: "ten_1", jobID: "old", logger: TestDatabase.logger))
            #expect(try await db.store.jobBilled(tenantID: "ten_1", jobID: "recent", logger: TestDatabase.logger))
            #expect(try await db.store.jobBilled(tenantID: "ten_1", jobID: "new", logger: TestDatabase.logger))
            #expect(try await !db.store.jobBilled(tenantID: "ten_2", jobID: "new", logger: TestDatabase.logger))
        }
    }
}

@Suite("Stored prices")
struct StoredPriceTests {
    @Test("imports and tenant overrides round-trip; saving the same key replaces it", arguments: PostgresTestServer.drivers)
    func roundTrip(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let logger = TestDatabase.logger
            let now = Timestamp.now()
            try await db.store.createUserWithTenant(User(email: "p@x.co", passwordHash: "h", createdAt: now), tenant: Tenant(id: "ten_p", name: "P", createdAt: now), logger: logger)
            var imported = ModelPrice(provider: "openai", model: "gpt-4o", effectiveAt: Timestamp(milliseconds: 1_000), input: 2_500_000_000, output: 10_000_000_000, cacheWrite1h: 7)
            imported.source = "import"
            // Long-context and service-tier rates (with the tier's own long-context rates) are stored too.
            imported.longContext = LongContextPrice(aboveTokens: 272_000, input: 5_000_000_000, cacheWrite1h: 9)
            imported.audioInput = 32_000_000_000
            imported.audioOutput = 64_000_000_000
            imported.imageInput = 8_000_000_000
            imported.imageOutput = 32_000_000_000
            imported.perMillionCharacters = 15_000_000_000
            imported.perSearchUnit = 2_000_000
            imported.perPage = 4_000_000
            imported.perAnnotatedPage = 5_000_000
            imported.perFileSearch = 2_500_000
            imported.serviceTiers = [
                .priority: ServiceTierPrice(input: 4_250_000_000, output: 17_000_000_000, longContext: LongContextPrice(aboveTokens: 200_000, output: 30_000_000_000)),
                .flex: ServiceTierPrice(cachedInput: 625_000_000, cacheWrite1h: 11),
            ]
            var override = ModelPrice(provider: "openai", model: "gpt-4o", effectiveAt: Timestamp(milliseconds: 0), input: 1, output: 2, perRequest: 3)
            override.tenantID = "ten_p"
            override.source = "tenant"
            try await db.store.savePrices([imported, override], logger: logger)
            imported.input = 2_000_000_000
            try await db.store.savePrices([imported], logger: logger)

            let stored = try await db.store.storedPrices(logger: logger)
            #expect(stored.count == 2)
            let shared = try #require(stored.first { $0.tenantID == nil })
            #expect(shared.input == 2_000_000_000 && shared.cacheWrite1h == 7 && shared.source == "import")
            #expect(shared.longContext == imported.longContext)
            #expect(shared.serviceTiers == imported.serviceTiers)
            #expect(shared.audioInput == 32_000_000_000 && shared.audioOutput == 64_000_000_000 && shared.perMillionCharacters == 15_000_000_000)
            #expect(shared.imageInput == 8_000_000_000 && shared.imageOutput == 32_000_000_000)
            #expect(shared.perSearchUnit == 2_000_000 && shared.perPage == 4_000_000 && shared.perAnnotatedPage == 5_000_000)
            #expect(shared.perFileSearch == 2_500_000)
            let tenant = try await db.store.tenantPrices(tenantID: "ten_p", logger: logger)
            #expect(tenant.count == 1 && tenant.first?.perRequest == 3 && tenant.first?.serviceTiers.isEmpty == true)
            #expect(try await db.store.tenantPrices(tenantID: "ten_other", logger: logger).isEmpty)
            #expect(try await db.store.deleteTenantPrice(id: tenant.first?.id ?? "", tenantID: "ten_other", logger: logger) == false)
            #expect(try await db.store.deleteTenantPrice(id: tenant.first?.id ?? "", tenantID: "ten_p", logger: logger))

            let book = PriceBook(builtIn: PriceTable(), stored: stored)
            #expect(book.price(tenantID: "ten_p", provider: "openai", model: "gpt-4o", at: now)?.perRequest == 3)
            #expect(book.price(tenantID: "ten_q", provider: "openai", model: "gpt-4o", at: now)?.input == 2_000_000_000)
        }
    }
}
