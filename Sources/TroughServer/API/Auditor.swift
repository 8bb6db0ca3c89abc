import Foundation
import Logging
import TroughCore

/// Writes audit entries. A failure to audit is logged, never shown to the user as the action's failure.
struct Auditor {
    let store: any Store

    func record(
        _ action: String, tenantID: String?, caller: Caller?, target: (type: String, id: String)? = nil,
        metadata: [String: String] = [:], context: TroughRequestContext
    ) async {
        let entry = AuditEntry(
            tenantID: tenantID,
            actorKind: caller?.actorKind ?? .anonymous,
            actorID: caller.map { caller in
                if case .apiKey(let key) = caller.credential { return key.id }
                return caller.user.id
            },
            action: action,
            targetType: target?.type,
            targetID: target?.id,
            clientAddress: context.clientAddress,
            metadata: Self.json(metadata),
            createdAt: .now()
        )
        do {
            try await store.appendAudit(entry, logger: context.logger)
        } catch {
            context.logger.error("Could not write the audit log", metadata: ["trough.action": .string(action), "trough.error": .string("\(error)")])
        }
    }

    /// Records an action about a user (sign-in, failed sign-in) in each tenant they belong to.
    func recordForUser(_ action: String, user: User, actorKind: AuditEntry.ActorKind, metadata: [String: String] = [:], context: TroughRequestContext) async {
        let tenants = (try? await store.memberships(userID: user.id, logger: context.logger)) ?? []
        for (tenant, _) in tenants {
            let entry = AuditEntry(
                tenantID: tenant.id, actorKind: actorKind, actorID: user.id, action: action,
                targetType: "user", targetID: user.id, clientAddress: context.clientAddress,
                metadata: Self.json(metadata),
                createdAt: .now()
            )
            try? await store.appendAudit(entry, logger: context.logger)
        }
    }
}

extension Auditor {
    /// Metadata as a JSON object with sorted keys, or nil when there is none.
    static func json(_ metadata: [String: String]) -> String? {
        metadata.isEmpty ? nil : (try? String(decoding: JSONEncoder.sorted.encode(metadata), as: UTF8.self))
    }
}

extension JSONEncoder {
    /// Deterministic JSON for stored metadata.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
