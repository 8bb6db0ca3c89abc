import Synchronization

/// Decides whether an answer's usage is billed, so that reading something stored does not bill it again.
///
/// A request that makes something (a POST) is billed for the usage its answer reports. A GET reads something
/// made earlier (`GET /v1/responses/{id}`, `/v1/chat/completions/{id}`, `/v1/files/{id}/content`…): its usage
/// was billed when it was made, so it is not billed again. The exceptions are jobs whose usage only a later
/// answer reports (`Usage.deferredID`): an OpenAI background response (`background: true`: its POST answers
/// `queued` without usage, the poll that finds it completed carries it) and an OpenAI batch (`GET /v1/batches/{id}`
/// once it has finished: its whole usage, at the batch rates). The first answer that carries such usage is
/// billed, later fetches of the same id are not. The ids are kept in memory per process and tenant (the latest `capacity`
/// of them); a billing event carries its job's id (`RequestEvent.jobID`), and the event writer stores each job's
/// usage once per tenant, so a job fetched through two Trough instances, or again after a restart, is billed once.
public final class DeferredUsage: Sendable {
    private struct Seen {
        var ids: Set<String> = []
        var order: [String] = []
        var next = 0
    }

    private let seen = Mutex(Seen())
    public let capacity: Int
    /// How long the database keeps a job's claim (`billed_jobs`): a year and a month, far past the time providers
    /// keep a job's answer (OpenAI stores responses 30 days; Anthropic keeps batch results 29 days).
    public static let claimRetentionDays = 400

    public init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// Whether to bill `usage`, the usage of an answer to a GET (`fetched`) or to a request that made something, for
    /// `tenantID`. Job ids are kept per tenant, as the event writer bills them: a job id another tenant's upstream
    /// answered with (any upstream can name any id) says nothing about this tenant's job.
    public func bills(_ usage: Usage, fetched: Bool, tenantID: String) -> Bool {
        guard let id = usage.deferredID, !id.isEmpty else { return !fetched }
        return firstSighting(of: Self.key(id, tenantID: tenantID)) || !fetched
    }

    /// The job `usage` belongs to when this process has not seen it yet for the tenant and the answer is to a GET:
    /// the answer that would bill it here, unless another instance (or this one before a restart) billed it already
    /// (`Store.jobBilled`; then `noteBilledElsewhere`). nil for every other answer.
    public func unseenJob(_ usage: Usage?, fetched: Bool, tenantID: String) -> String? {
        guard fetched, let id = usage?.deferredID, !id.isEmpty else { return nil }
        return seen.withLock { $0.ids.contains(Self.key(id, tenantID: tenantID)) } ? nil : id
    }

    /// The job was billed by another instance: it is not billed here.
    public func noteBilledElsewhere(_ jobID: String, tenantID: String) {
        _ = firstSighting(of: Self.key(jobID, tenantID: tenantID))
    }

    /// How a tenant's job is remembered.
    private static func key(_ jobID: String, tenantID: String) -> String {
        tenantID + "\u{0}" + jobID
    }

    /// Records `id`; false when it was recorded before.
    func firstSighting(of id: String) -> Bool {
        seen.withLock { seen in
            guard seen.ids.insert(id).inserted else { return false }
            if seen.order.count < capacity {
                seen.order.append(id)
            } else {
                seen.ids.remove(seen.order[seen.next])
                seen.order[seen.next] = id
                seen.next = (seen.next + 1) % capacity
            }
            return true
        }
    }
}
