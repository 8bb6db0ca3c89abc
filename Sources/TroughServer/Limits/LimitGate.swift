import Logging
import Synchronization
import TroughCore

/// Enforces monthly request quotas and budgets on this instance with no database round trip per request.
///
/// Each counter (`LimitKey`) has a lease: a slice of the limit taken from the database ledger with an atomic
/// update. Requests reserve their worst case from the lease, settle to the real amount afterwards, and the
/// lease is topped up in the background when it runs low, or inline (one ledger call per counter at a time)
/// when it is empty. `sync` reports what was spent, renews leases before they expire and returns idle ones;
/// on shutdown every lease is returned. It also counts refused requests for the dashboard. See `docs/limits.md` for the overshoot bound.
final class LimitGate: Sendable {
    /// One limit a request is charged against.
    struct Charge: Sendable {
        var key: LimitKey
        var limit: Int64
        /// Reserved up front: one request, or the worst-case cost in nano-dollars.
        var amount: Int64
        /// Refuse requests once the limit is reached; without it the counter only counts.
        var hard: Bool
    }

    /// A charge the limit cannot cover, and how much of the limit is used.
    struct Refusal: Error {
        let charge: Charge
        let used: Int64
    }

    struct Settings: Sendable {
        /// A lease not renewed for this long is swept by the other instances (charged in full).
        var leaseSeconds: Int64 = 60
        /// Leases unused for this long are returned.
        var idleSeconds: Int64 = 30
        /// How many requests a quota lease asks for at a time (the ledger gives at most a quarter of what is left).
        var requestSlice: Int64 = 200
    }

    private struct Slot {
        var leaseID: String?
        /// What the database lease holds (reported consumption excluded).
        var held: Int64 = 0
        /// Worst cases of requests in flight.
        var reserved: Int64 = 0
        /// Settled here and not yet reported to the ledger.
        var consumed: Int64 = 0
        var limit: Int64
        /// Spent everywhere plus other instances' leases, as of the last ledger answer.
        var base: Int64 = 0
        /// The one ledger call in flight for this counter.
        var ledgerCall: Task<Bool, Never>?
        var lastUsed: Int64
        /// After a refusal, further requests are refused without a ledger call until then (milliseconds).
        var refusedUntil: Int64 = 0
        /// Worst cases of requests waiting for a ledger call.
        var pending: Int64 = 0
        /// The last ledger call could not give the lease what it needed.
        var lastLedgerShort = false
        /// The ledger failed (database unreachable): until then requests are admitted without asking it again.
        var failOpenUntil: Int64 = 0
        /// Reserved in the current second (from `rateWindowStart`, milliseconds) and in the one before: how fast
        /// the lease is used, so a busy counter asks for enough to last about two seconds between ledger calls.
        var reservedThisSecond: Int64 = 0
        var reservedLastSecond: Int64 = 0
        var rateWindowStart: Int64 = 0

        mutating func noteReserved(_ amount: Int64, now: Int64) {
            if now - rateWindowStart >= 1000 {
                reservedLastSecond = now - rateWindowStart >= 2000 ? 0 : reservedThisSecond
                reservedThisSecond = 0
                rateWindowStart = now
            }
            reservedThisSecond += amount
        }

        var available: Int64 { held - reserved - consumed }
        var used: Int64 { base + consumed + reserved }
    }

    private enum Step {
        case reserved
        case refused(used: Int64)
        case wait(Task<Bool, Never>)
    }

    let store: any Store
    let clock: TroughClock
    let settings: Settings
    let logger: Logger
    /// Names this process's leases.
    let instanceID = Identifier.make("ins")
    private let slots = Mutex<[LimitKey: Slot]>([:])
    /// Requests refused since the last sync, by project, day and reason (written by `sync`).
    private let refusals = Mutex<[RefusalKey: Int64]>([:])

    private struct RefusalKey: Hashable {
        let tenantID: String
        let projectID: String
        let day: Timestamp
        let reason: String
    }
    private let period: Mutex<LimitPeriod?> = Mutex(nil)

    /// Runs at the start of every ledger call, before it reads the counter (tests: to let requests settle there).
    private let beforeLedgerCall: (@Sendable () async -> Void)?

    init(store: any Store, clock: TroughClock, settings: Settings = Settings(), logger: Logger,
         beforeLedgerCall: (@Sendable () async -> Void)? = nil) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.beforeLedgerCall = beforeLedgerCall
    }

    /// The month `clock` is in (computed once per month).
    func currentPeriod() -> LimitPeriod {
        let now = clock.now()
        return period.withLock { cached in
            if let current = cached, current.start <= now, now < current.end { return current }
            let current = LimitPeriod(containing: now)
            cached = current
            return current
        }
    }

    /// Reserves every charge or none: throws `Refusal` for the first hard limit that cannot cover its charge.
    func reserve(_ charges: [Charge]) async throws -> Reservation {
        var taken: [Charge] = []
        for charge in charges {
            do {
                try await reserve(charge)
                taken.append(charge)
            } catch {
                for done in taken { settle(done, actual: 0) }
                throw error
            }
        }
        return Reservation(gate: self, charges: taken)
    }

    /// Reserves every charge from this instance's leases when all of them fit without asking the ledger (the
    /// common case, and synchronous); nil when any would need a ledger call or a refusal — nothing is reserved then.
    func reserveLocally(_ charges: [Charge]) -> Reservation? {
        let now = clock.now().milliseconds
        let reserved: Bool = slots.withLock { slots in
            for charge in charges {
                guard let slot = slots[charge.key], slot.limit == charge.limit else { return false }
                let fits = slot.available >= charge.amount && slot.used + charge.amount <= slot.limit
                guard fits || !charge.hard || now < slot.failOpenUntil else { return false }
            }
            for charge in charges {
                guard var slot = slots[charge.key] else { continue }
                slot.reserved += charge.amount
                slot.noteReserved(charge.amount, now: now)
                slot.lastUsed = now
                let slice = slice(charge, slot: slot)
                if slot.ledgerCall == nil, now >= slot.failOpenUntil, slot.available < slice / 2, slot.used < slot.limit {
                    slot.ledgerCall = ledgerTask(charge.key, .topUp(need: 0, beyond: slice))
                }
                slots[charge.key] = slot
            }
            return true
        }
        return reserved ? Reservation(gate: self, charges: charges) : nil
    }

    private func reserve(_ charge: Charge) async throws {
        var ledgerCalls = 0
        var ledgerFailed = false
        var waiting = false
        while true {
            let now = clock.now().milliseconds
            let step: Step = slots.withLock { slots in
                var slot = slots[charge.key] ?? Slot(limit: charge.limit, lastUsed: now)
                if slot.limit != charge.limit { slot.refusedUntil = 0 }
                slot.limit = charge.limit
                slot.lastUsed = now
                if waiting { slot.pending -= charge.amount }
                defer { slots[charge.key] = slot }
                // Budgets without a hard cap only count; while the database cannot be reached, requests are
                // admitted (fail open) and reported when it returns.
                let fits = slot.available >= charge.amount && slot.used + charge.amount <= slot.limit
                if fits || !charge.hard || ledgerFailed || now < slot.failOpenUntil {
                    slot.reserved += charge.amount
                    slot.noteReserved(charge.amount, now: now)
                    let slice = slice(charge, slot: slot)
                    if slot.ledgerCall == nil, now >= slot.failOpenUntil, slot.available < slice / 2, slot.used < slot.limit {
                        slot.ledgerCall = ledgerTask(charge.key, .topUp(need: 0, beyond: slice))
                    }
                    return .reserved
                }
                // The ledger could not cover what was asked: the limit is reached. Refuse, and for a moment
                // refuse further requests without asking the database again.
                if (ledgerCalls > 0 && slot.ledgerCall == nil && slot.lastLedgerShort) || now < slot.refusedUntil || ledgerCalls >= 64 {
                    slot.refusedUntil = max(slot.refusedUntil, now + 1000)
                    return .refused(used: min(slot.limit, slot.used))
                }
                slot.pending += charge.amount
                if let call = slot.ledgerCall { return .wait(call) }
                let call = ledgerTask(charge.key, .topUp(need: charge.amount, beyond: slot.pending + slice(charge, slot: slot)))
                slot.ledgerCall = call
                return .wait(call)
            }
            switch step {
            case .reserved: return
            case .refused(let used): throw Refusal(charge: charge, used: used)
            case .wait(let call):
                waiting = true
                ledgerFailed = await !call.value
                ledgerCalls += 1
            }
        }
    }

    /// How much a lease asks for beyond the request at hand.
    private func slice(_ charge: Charge, slot: Slot) -> Int64 {
        switch charge.key.unit {
        case .requests:
            // At least `requestSlice`, or two seconds' worth at the current rate; never more than a tenth of the limit.
            max(1, min(max(settings.requestSlice, 2 * max(slot.reservedThisSecond, slot.reservedLastSecond)), charge.limit / 10))
        case .nanos: max(charge.amount * 4, charge.limit / 20)
        }
    }

    /// Replaces a reservation with what the request really used.
    func settle(_ charge: Charge, actual: Int64) {
        slots.withLock { slots in
            guard var slot = slots[charge.key] else { return }
            slot.reserved -= charge.amount
            slot.consumed += actual
            slots[charge.key] = slot
        }
    }

    /// What is left of a counter's limit as this instance sees it.
    func remaining(_ key: LimitKey) -> Int64? {
        slots.withLock { slots in slots[key].map { max(0, $0.limit - $0.used) } }
    }

    // MARK: Ledger

    /// What a ledger call asks of the lease.
    private enum Ask {
        /// Top up to what is reserved plus `beyond`, and at least what is reserved plus `need` (0: no minimum). Both
        /// count from the reservations as they are when the call reports consumption: a request that settles
        /// between asking and calling is then counted once (as consumed), not also as reserved, which could make
        /// the ledger look short and refuse a request the limit still covered.
        case topUp(need: Int64, beyond: Int64)
        /// Keep what the lease holds (its consumption reported).
        case renew
        /// Give the lease back.
        case release
    }

    /// Starts the counter's one ledger call: report consumption, then top up, renew or release.
    private func ledgerTask(_ key: LimitKey, _ ask: Ask) -> Task<Bool, Never> {
        Task { await self.callLedger(key, ask) }
    }

    private func callLedger(_ key: LimitKey, _ ask: Ask) async -> Bool {
        await beforeLedgerCall?()
        guard let snapshot = slots.withLock({ $0[key] }) else { return true }
        let (need, want, release): (Int64, Int64, Bool) = switch ask {
        case .topUp(let need, let beyond): (need == 0 ? 0 : snapshot.reserved + need, snapshot.reserved + beyond, false)
        case .renew: (0, snapshot.held - snapshot.consumed, false)
        case .release: (0, 0, true)
        }
        let now = clock.now()
        let change = LeaseChange(
            key: key, limit: snapshot.limit, instanceID: instanceID, leaseID: snapshot.leaseID, consumed: snapshot.consumed,
            need: need, want: want, release: release, now: now, expiresAt: now.adding(seconds: settings.leaseSeconds)
        )
        do {
            let state = try await store.changeLease(change, logger: logger)
            slots.withLock { slots in
                guard var slot = slots[key] else { return }
                slot.leaseID = state.leaseID
                slot.held = state.held
                slot.consumed -= snapshot.consumed
                slot.base = state.spent + state.leased - state.held
                slot.lastLedgerShort = state.held < need
                slot.ledgerCall = nil
                if release, slot.reserved == 0, slot.consumed == 0 {
                    slots[key] = nil
                } else {
                    slots[key] = slot
                }
            }
            return true
        } catch {
            let retryAt = clock.now().milliseconds + 5_000
            slots.withLock { slots in
                slots[key]?.ledgerCall = nil
                slots[key]?.failOpenUntil = retryAt
            }
            logger.warning("Limit ledger unavailable; admitting on the local lease", metadata: ["trough.limit": .string(key.description), "trough.error": .string("\(error)")])
            return false
        }
    }

    /// Counts a request refused by a limit (`reason` is the 402's error type); written to the database by `sync`.
    func noteRefusal(tenantID: String, projectID: String, reason: String) {
        let key = RefusalKey(tenantID: tenantID, projectID: projectID, day: UsageRollup.Granularity.day.bucket(clock.now()), reason: reason)
        refusals.withLock { $0[key, default: 0] += 1 }
    }

    /// Writes the refusals counted since the last call; on failure they are kept for the next.
    private func flushRefusals() async {
        let counted = refusals.withLock { counted in defer { counted = [:] }; return counted }
        guard !counted.isEmpty else { return }
        let counts = counted.map { RefusalCount(tenantID: $0.key.tenantID, projectID: $0.key.projectID, day: $0.key.day, reason: $0.key.reason, requests: $0.value) }
        do {
            try await store.addRefusals(counts, logger: logger)
        } catch {
            refusals.withLock { pending in
                for (key, requests) in counted { pending[key, default: 0] += requests }
            }
            logger.warning("Refused-request counts not written; kept for the next sync", metadata: ["trough.error": .string("\(error)")])
        }
    }

    /// Reports consumption and renews every lease; returns leases idle for `idleSeconds` (all of them with `releaseAll`).
    func sync(releaseAll: Bool = false) async {
        let now = clock.now().milliseconds
        let calls: [Task<Bool, Never>] = slots.withLock { slots in
            var calls: [Task<Bool, Never>] = []
            for (key, slot) in slots where slot.ledgerCall == nil {
                let idle = slot.reserved == 0 && now - slot.lastUsed > settings.idleSeconds * 1000
                if slot.leaseID == nil, slot.consumed == 0 {
                    if idle || releaseAll { slots[key] = nil }
                    continue
                }
                let release = releaseAll || idle
                let call = ledgerTask(key, release ? .release : .renew)
                slots[key]?.ledgerCall = call
                calls.append(call)
            }
            return calls
        }
        for call in calls { _ = await call.value }
        await flushRefusals()
    }
}

/// The charges one proxied request reserved; settled once, when its event is recorded, or cancelled
/// (on any path that records no event, including a dropped response, through `deinit`).
final class Reservation: Sendable {
    let gate: LimitGate
    let charges: [LimitGate.Charge]
    private let open = Mutex(true)

    init(gate: LimitGate, charges: [LimitGate.Charge]) {
        self.gate = gate
        self.charges = charges
    }

    /// Settles to the request's real cost; it counts as one request.
    func settle(cost: Money) {
        close { $0.key.unit == .requests ? 1 : max(0, cost.nanos) }
    }

    /// Gives the reservation back: the request never reached the provider.
    func cancel() {
        close { _ in 0 }
    }

    private func close(_ actual: (LimitGate.Charge) -> Int64) {
        guard open.withLock({ open in defer { open = false }; return open }) else { return }
        for charge in charges { gate.settle(charge, actual: actual(charge)) }
    }

    /// The smallest remaining budget among the money limits charged, if any.
    var remainingBudget: Money? {
        charges.filter { $0.key.unit == .nanos }.compactMap { gate.remaining($0.key) }.min().map { Money(nanos: $0) }
    }

    deinit { cancel() }
}
