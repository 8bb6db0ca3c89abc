import Testing
@testable import TroughCore

@Suite("Usage rollups")
struct UsageRollupTests {
    static func event(model: String, at milliseconds: Int64, cost: Int64, status: Int = 200) -> RequestEvent {
        var event = RequestEvent(tenantID: "ten_1", projectID: "prj_1", serviceID: "svc_1", tokenID: "tok_1",
                                 occurredAt: Timestamp(milliseconds: milliseconds), method: "POST", route: "/v1/chat/completions", status: status)
        event.provider = "openai"
        event.model = model
        event.cost = Money(nanos: cost)
        event.inputTokens = 10
        return event
    }

    @Test("events sum into one rollup per hour and dimensions, whether their keys come in runs or interleaved")
    func interleaved() {
        let hour: Int64 = 3_600_000
        let events = [
            Self.event(model: "a", at: 1, cost: 1), Self.event(model: "a", at: 2, cost: 2), Self.event(model: "b", at: 3, cost: 4),
            Self.event(model: "a", at: 4, cost: 8, status: 500), Self.event(model: "a", at: hour + 1, cost: 16), Self.event(model: "b", at: 5, cost: 32),
        ]
        let hourly = UsageRollup.aggregate(events, by: .hour)
        let sums = Dictionary(uniqueKeysWithValues: hourly.map { ("\($0.key.model)@\($0.key.bucketAt.milliseconds)", [$0.requests, $0.errors, $0.costNanos, $0.inputTokens]) })
        #expect(sums == ["a@0": [3, 1, 11, 30], "b@0": [2, 0, 36, 20], "a@\(hour)": [1, 0, 16, 10]])
        let daily = UsageRollup.rollUp(hourly, by: .day)
        #expect(daily.map(\.requests).sorted() == [2, 4] && daily.map(\.costNanos).reduce(0, +) == 63)
    }
}
