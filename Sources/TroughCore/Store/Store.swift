import Logging

/// Everything Trough keeps. One implementation over SQL serves SQLite and PostgreSQL;
/// every method that touches tenant data takes the tenant id and filters by it.
public protocol Store: Sendable {
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
}
