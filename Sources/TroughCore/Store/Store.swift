import Logging

/// Everything Trough keeps. One implementation over SQL serves SQLite and PostgreSQL;
/// every method that touches tenant data takes the tenant id and filters by it.
public protocol Store: EventStore {
    /// Checks the database answers and the schema is current; throws `StoreError` otherwise.
    func checkReady(logger: Logger) async throws

    // MARK: Accounts

    /// Creates the user, a tenant with the user as owner, in one transaction.
    /// Throws `StoreError.conflict` when the email is taken.
    func createUserWithTenant(_ user: User, tenant: Tenant, logger: Logger) async throws
    /// The user with this (normalized) email, if any.
    func user(email: String, logger: Logger) async throws -> User?
    /// The user with this id, if any.
    func user(id: String, logger: Logger) async throws -> User?

    // MARK: Tenants

    /// The tenant, if `userID` is a member of it.
    func tenant(id: String, logger: Logger) async throws -> Tenant?
    /// Every tenant the user belongs to, with the user's role, oldest first.
    func memberships(userID: String, logger: Logger) async throws -> [(tenant: Tenant, membership: Membership)]
    /// The user's membership in one tenant, if any.
    func membership(tenantID: String, userID: String, logger: Logger) async throws -> Membership?

    // MARK: Projects

    /// Creates a project; `StoreError.conflict` when the slug is taken in the tenant.
    func createProject(_ project: Project, logger: Logger) async throws
    /// The project, only if it belongs to `tenantID`.
    func project(id: String, tenantID: String, logger: Logger) async throws -> Project?
    /// The tenant's projects, oldest first.
    func projects(tenantID: String, logger: Logger) async throws -> [Project]
    /// Saves name, slug and budget of an existing project of the tenant; returns false when there is none.
    func updateProject(_ project: Project, logger: Logger) async throws -> Bool
    /// Deletes the tenant's project and everything under it; returns false when there is none.
    func deleteProject(id: String, tenantID: String, logger: Logger) async throws -> Bool

    /// The project and the user's role in its tenant, if the user is a member there.
    func project(id: String, memberUserID: String, logger: Logger) async throws -> (project: Project, role: Role)?

    // MARK: Users and sessions

    /// Creates the user and accepts the invite in one transaction; returns nil (and creates nothing)
    /// when the invite is unknown, used or expired. `StoreError.conflict` when the email is taken.
    func createUserAcceptingInvite(_ user: User, inviteTokenHash: String, at now: Timestamp, logger: Logger) async throws -> Membership?
    /// Replaces the user's password hash (re-hash on login).
    func updatePasswordHash(userID: String, passwordHash: String, at now: Timestamp, logger: Logger) async throws
    func createSession(_ session: Session, logger: Logger) async throws
    /// The session with this token hash, if any (expired ones too: callers check `isActive`).
    func session(tokenHash: String, logger: Logger) async throws -> Session?
    /// Records activity: moves `last_seen_at` and the idle expiry forward.
    func touchSession(id: String, lastSeenAt: Timestamp, idleExpiresAt: Timestamp, logger: Logger) async throws
    /// The user's sessions that have not expired at `now`, newest first.
    func sessions(userID: String, activeAt now: Timestamp, logger: Logger) async throws -> [Session]
    /// Deletes one of the user's sessions; false when there is none.
    func deleteSession(id: String, userID: String, logger: Logger) async throws -> Bool
    /// Deletes the user's sessions except `keeping`; returns how many.
    func deleteSessions(userID: String, keeping: String?, logger: Logger) async throws -> Int
    /// Deletes sessions expired before `now`; returns how many.
    func deleteExpiredSessions(before now: Timestamp, logger: Logger) async throws -> Int

    // MARK: Login throttling

    /// The throttle rows for these keys (`email:…`, `addr:…`).
    func loginThrottles(keys: [String], logger: Logger) async throws -> [LoginThrottle]
    /// Saves throttle rows (insert or replace).
    func saveLoginThrottles(_ throttles: [LoginThrottle], logger: Logger) async throws
    /// Forgets the failures of a key (after a successful login).
    func clearLoginThrottle(key: String, logger: Logger) async throws

    // MARK: Tenants and members

    /// Creates a tenant with `ownerUserID` as its owner.
    func createTenant(_ tenant: Tenant, ownerUserID: String, logger: Logger) async throws
    func renameTenant(id: String, name: String, at now: Timestamp, logger: Logger) async throws -> Bool
    /// Deletes the tenant and everything it owns.
    func deleteTenant(id: String, logger: Logger) async throws -> Bool
    /// Every tenant, newest first (operator use).
    func allTenants(limit: Int, logger: Logger) async throws -> [Tenant]
    /// The tenant's members with their users, oldest first.
    func members(tenantID: String, logger: Logger) async throws -> [(membership: Membership, user: User)]
    /// Changes a member's role; `StoreError.conflict` when it would leave the tenant without an owner.
    /// False when the user is not a member.
    func changeRole(tenantID: String, userID: String, to role: Role, at now: Timestamp, logger: Logger) async throws -> Bool
    /// Removes a member; `StoreError.conflict` when it is the last owner. False when not a member.
    func removeMember(tenantID: String, userID: String, logger: Logger) async throws -> Bool

    // MARK: Invites

    func createInvite(_ invite: Invite, logger: Logger) async throws
    /// The tenant's invites that are neither accepted nor expired at `now`.
    func pendingInvites(tenantID: String, at now: Timestamp, logger: Logger) async throws -> [Invite]
    func deleteInvite(id: String, tenantID: String, logger: Logger) async throws -> Bool
    /// Marks the invite used and makes the user a member (keeping a higher existing role), atomically.
    /// Nil when the invite is unknown, used or expired.
    func acceptInvite(tokenHash: String, userID: String, at now: Timestamp, logger: Logger) async throws -> Membership?

    // MARK: Project tokens

    func createProjectToken(_ token: ProjectToken, logger: Logger) async throws
    /// The project's tokens that are not revoked, oldest first.
    func projectTokens(projectID: String, tenantID: String, logger: Logger) async throws -> [ProjectToken]
    /// Revokes a token of the tenant's project; false when there is no such live token.
    func revokeProjectToken(id: String, projectID: String, tenantID: String, at now: Timestamp, logger: Logger) async throws -> Bool
    /// The live (not revoked) token with this SHA-256, looked up by its unique index: what the proxy uses.
    func activeProjectToken(tokenHash: String, logger: Logger) async throws -> ProjectToken?

    // MARK: API keys

    func createAPIKey(_ key: APIKey, logger: Logger) async throws
    /// The user's live keys in a tenant, oldest first.
    func apiKeys(tenantID: String, userID: String, logger: Logger) async throws -> [APIKey]
    /// Revokes one of the user's keys in the tenant; false when there is no such live key.
    func revokeAPIKey(id: String, tenantID: String, userID: String, at now: Timestamp, logger: Logger) async throws -> Bool
    /// The live key with this SHA-256.
    func activeAPIKey(tokenHash: String, logger: Logger) async throws -> APIKey?
    /// Records that a key was used (at most once a minute per key is enough).
    func touchAPIKey(id: String, at now: Timestamp, logger: Logger) async throws

    // MARK: Audit log

    func appendAudit(_ entry: AuditEntry, logger: Logger) async throws
    /// The tenant's audit entries, newest first, older than `beforeID` when given.
    func auditLog(tenantID: String, limit: Int, beforeID: Int64?, logger: Logger) async throws -> [AuditEntry]

    // MARK: Services and provider keys

    /// Creates a service and, if given, its sealed provider key, in one transaction.
    /// `StoreError.conflict` when the name is taken in the project.
    func createService(_ service: Service, key: ProviderKey?, logger: Logger) async throws
    /// The project's services, oldest first.
    func services(projectID: String, tenantID: String, logger: Logger) async throws -> [Service]
    /// The service and the user's role in its tenant, if the user is a member there.
    func service(id: String, memberUserID: String, logger: Logger) async throws -> (service: Service, role: Role)?
    /// The project's service with this name: how the proxy finds its upstream.
    func service(projectID: String, name: String, tenantID: String, logger: Logger) async throws -> Service?
    /// Saves an existing service's fields and changes its key as asked, in one transaction; false when there is none.
    func updateService(_ service: Service, key: ProviderKeyChange, logger: Logger) async throws -> Bool
    func deleteService(id: String, tenantID: String, logger: Logger) async throws -> Bool
    /// The sealed key of a service, if it has one.
    func providerKey(serviceID: String, tenantID: String, logger: Logger) async throws -> ProviderKey?
    /// The sealed keys of a project's services.
    func providerKeys(projectID: String, tenantID: String, logger: Logger) async throws -> [ProviderKey]

    // MARK: Cost rules

    func createCostRule(_ rule: CostRule, logger: Logger) async throws
    /// The service's rules, oldest first.
    func costRules(serviceID: String, tenantID: String, logger: Logger) async throws -> [CostRule]
    func deleteCostRule(id: String, serviceID: String, tenantID: String, logger: Logger) async throws -> Bool

    // MARK: Plans

    /// Every plan, cheapest first.
    func plans(logger: Logger) async throws -> [Plan]
    func plan(id: String, logger: Logger) async throws -> Plan?
    /// Changes a plan's limits; false when there is no such plan.
    func updatePlanLimits(id: String, change: PlanLimitsChange, at now: Timestamp, logger: Logger) async throws -> Bool
    /// Moves a tenant to another plan, in one transaction: active services beyond the new plan's limit
    /// (newest first) are suspended, never deleted; services suspended by an earlier downgrade come back
    /// as far as the new limit allows. False when there is no such tenant or plan.
    func setTenantPlan(tenantID: String, planID: String, at now: Timestamp, logger: Logger) async throws -> Bool
    /// How many active services the tenant has across its projects.
    func activeServiceCount(tenantID: String, logger: Logger) async throws -> Int

    // MARK: Limits

    /// Applies one instance's lease report and top-up atomically (see `LeaseChange`). The counter is created
    /// on first use, seeded from the month's rollups, so spend before a budget was set still counts.
    func changeLease(_ change: LeaseChange, logger: Logger) async throws -> LeaseState
    /// The tenant's counters for one month (`YYYY-MM`).
    func limitCounters(tenantID: String, period: String, logger: Logger) async throws -> [LimitCounter]
    /// Adds refused-request counts to the daily tallies (several instances add to the same rows).
    func addRefusals(_ counts: [RefusalCount], logger: Logger) async throws
    /// A project's refused requests for days in `[from, to)`, one count per day and reason.
    func refusals(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [RefusalCount]

    // MARK: Prices

    /// Saves prices (imports when `tenantID` is nil, else a tenant's overrides), replacing any with the same
    /// owner, provider, model and effective time, in one transaction.
    func savePrices(_ prices: [ModelPrice], logger: Logger) async throws
    /// Every stored price: imports and every tenant's overrides.
    func storedPrices(logger: Logger) async throws -> [ModelPrice]
    /// One tenant's overrides and custom models.
    func tenantPrices(tenantID: String, logger: Logger) async throws -> [ModelPrice]
    func deleteTenantPrice(id: String, tenantID: String, logger: Logger) async throws -> Bool

    // MARK: Request events

    // MARK: Reports (from the rollups)

    /// Sums for buckets in `[from, to)`.
    func usageTotals(scope: UsageScope, granularity: UsageRollup.Granularity, from: Timestamp, to: Timestamp, logger: Logger) async throws -> UsageTotals
    /// One total per bucket that has usage in `[from, to)`, oldest first (callers fill the gaps).
    func usageSeries(scope: UsageScope, granularity: UsageRollup.Granularity, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [UsageBucket]
    /// Days in `[from, to)` grouped by a dimension, dearest first, at most `limit` groups.
    func usageBreakdown(scope: UsageScope, by dimension: UsageDimension, from: Timestamp, to: Timestamp, limit: Int, logger: Logger) async throws -> [UsageGroup]
    /// The tenant's totals per project id for days in `[from, to)`.
    func usageByProject(tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [String: UsageTotals]
    /// Events in `[from, to)` grouped by `key` (a tag's value, the service tier: what is not rolled up), dearest
    /// first. This reads the events, so callers bound the range by the plan's history.
    func eventBreakdown(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, logger: Logger,
                        key: @escaping @Sendable (RequestEvent) -> String) async throws -> [UsageGroup]
    /// A page of the project's events in `[from, to)`, oldest first, after `cursor`.
    func eventPage(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, after cursor: EventCursor?, limit: Int, logger: Logger) async throws -> [StoredEvent]

    /// The project's events in `[from, to)`, oldest first, at most `limit`.
    func events(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, limit: Int, logger: Logger) async throws -> [RequestEvent]

    /// Whether the tenant's job (`RequestEvent.jobID`) was billed already, by this instance or another.
    func jobBilled(tenantID: String, jobID: String, logger: Logger) async throws -> Bool
    /// Forgets the job claims made before `before`; returns how many.
    func forgetBilledJobs(before: Timestamp, logger: Logger) async throws -> Int
}

extension Store {
    /// The plan a tenant is on; nil when there is no such tenant (or plan).
    public func plan(tenantID: String, logger: Logger) async throws -> Plan? {
        guard let tenant = try await tenant(id: tenantID, logger: logger) else { return nil }
        return try await plan(id: tenant.planID, logger: logger)
    }
}

/// Where a page of events ended: the next page starts after it.
public struct EventCursor: Hashable, Sendable {
    public var occurredAt: Timestamp
    public var id: Int64

    public init(occurredAt: Timestamp, id: Int64) {
        self.occurredAt = occurredAt
        self.id = id
    }
}

/// An event as stored, with its place in the table.
public struct StoredEvent: Sendable {
    public var event: RequestEvent
    public var cursor: EventCursor

    public init(event: RequestEvent, cursor: EventCursor) {
        self.event = event
        self.cursor = cursor
    }
}

/// What an update does to a service's provider key.
public enum ProviderKeyChange: Sendable {
    case keep
    case replace(ProviderKey)
    case remove
}

/// Where the event writer puts events: the one store method it needs.
public protocol EventStore: Sendable {
    /// Writes events and adds them to the hourly and daily rollups, all in one transaction.
    /// An event whose id is already stored is skipped, rollups included, so a replayed batch counts once.
    func recordEvents(_ events: [RequestEvent], logger: Logger) async throws
}
