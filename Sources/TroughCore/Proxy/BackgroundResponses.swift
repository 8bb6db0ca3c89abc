import Synchronization

/// Decides whether an answer's usage is billed, so that reading something stored does not bill it again.
///
/// A request that makes something (a POST) is billed for the usage its answer reports. A GET reads something
/// made earlier (`GET /v1/responses/{id}`, `/v1/chat/completions/{id}`, `/v1/batches/{id}`): its usage was
/// billed when it was made, so it is not billed again. The exception is an OpenAI background response
/// (`background: true`): its POST answers `queued` without usage, and the usage first arrives in a GET (the
/// poll that finds it completed) or in the stream of a POST that stayed attached; the first answer that carries
/// it is billed, later fetches of the same response are not. The ids seen are kept in memory per process (the
/// latest `capacity` of them): a response fetched through two Trough instances, or after a restart, is billed
/// by each.
public final class BackgroundResponses: Sendable {
    private struct Seen {
        var ids: Set<String> = []
        var order: [String] = []
        var next = 0
    }

    private let seen = Mutex(Seen())
    public let capacity: Int

    public init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// Whether to bill `usage`, the usage of an answer to a GET (`fetched`) or to a request that made something.
    public func bills(_ usage: Usage, fetched: Bool) -> Bool {
        guard usage.background, let id = usage.responseID, !id.isEmpty else { return !fetched }
        return firstSighting(of: id) || !fetched
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
