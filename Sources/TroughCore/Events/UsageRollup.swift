/// Sums of events for one bucket (hour or UTC day) and one combination of dimensions:
/// what dashboards read instead of scanning events.
public struct UsageRollup: Hashable, Sendable {
    /// The dimensions; absent ones are "".
    public struct Key: Hashable, Sendable {
        public var tenantID: String
        public var projectID: String
        public var bucketAt: Timestamp
        public var serviceID: String
        public var tokenID: String
        public var route: String
        public var provider: String
        public var model: String
    }

    public var key: Key
    public var requests: Int64 = 0
    public var errors: Int64 = 0
    public var unpriced: Int64 = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var costNanos: Int64 = 0
    public var totalLatencyMicros: Int64 = 0
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0

    /// The bucket sizes rollups are kept at.
    public enum Granularity: Sendable {
        case hour
        case day

        public var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }

        /// The start of the (UTC) bucket holding `time`.
        public func bucket(_ time: Timestamp) -> Timestamp {
            let size = milliseconds
            let value = time.milliseconds
            return Timestamp(milliseconds: value - ((value % size) + size) % size)
        }
    }

    /// Adds events up into one rollup per bucket and dimensions. A run of events with the same key (the usual
    /// batch) is summed apart and looked up once: comparing keys costs less than hashing them.
    public static func aggregate(_ events: [RequestEvent], by granularity: Granularity) -> [UsageRollup] {
        var rollups: [Key: UsageRollup] = [:]
        var run: UsageRollup?
        func endRun() {
            if let run { rollups[run.key, default: UsageRollup(key: run.key)].add(run) }
        }
        for event in events {
            let key = Key(
                tenantID: event.tenantID, projectID: event.projectID, bucketAt: granularity.bucket(event.occurredAt),
                serviceID: event.serviceID ?? "", tokenID: event.tokenID ?? "", route: event.route,
                provider: event.provider ?? "", model: event.model ?? ""
            )
            if run?.key != key {
                endRun()
                run = UsageRollup(key: key)
            }
            run?.add(event)
        }
        endRun()
        return Array(rollups.values)
    }

    /// The same sums in larger buckets (hours into UTC days), without going back to the events.
    public static func rollUp(_ rollups: [UsageRollup], by granularity: Granularity) -> [UsageRollup] {
        var larger: [Key: UsageRollup] = [:]
        for rollup in rollups {
            var key = rollup.key
            key.bucketAt = granularity.bucket(key.bucketAt)
            larger[key, default: UsageRollup(key: key)].add(rollup)
        }
        return Array(larger.values)
    }

    mutating func add(_ event: RequestEvent) {
        requests += 1
        if event.isError { errors += 1 }
        if event.costSource == .unpriced { unpriced += 1 }
        inputTokens += event.inputTokens
        outputTokens += event.outputTokens
        cachedInputTokens += event.cachedInputTokens
        cacheWriteTokens += event.cacheWriteTokens
        reasoningTokens += event.reasoningTokens
        costNanos += event.cost.nanos
        totalLatencyMicros += event.totalLatencyMicros
        bytesIn += event.bytesIn
        bytesOut += event.bytesOut
    }

    mutating func add(_ other: UsageRollup) {
        requests += other.requests
        errors += other.errors
        unpriced += other.unpriced
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cachedInputTokens += other.cachedInputTokens
        cacheWriteTokens += other.cacheWriteTokens
        reasoningTokens += other.reasoningTokens
        costNanos += other.costNanos
        totalLatencyMicros += other.totalLatencyMicros
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
    }
}
