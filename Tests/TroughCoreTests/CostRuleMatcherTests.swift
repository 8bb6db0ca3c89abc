import Testing
import TroughCore

@Suite("Cost rules")
struct CostRuleMatcherTests {
    func rule(_ pattern: String, method: String? = nil, cost: Int64) -> CostRule {
        CostRule(tenantID: "t", projectID: "p", serviceID: "s", method: method, pathPattern: pattern, cost: Money(nanos: cost), unitField: nil, createdAt: .now())
    }

    @Test("the most specific matching rule wins")
    func specificity() {
        let matcher = CostRuleMatcher(rules: [
            rule("/**", cost: 1),
            rule("/2010-04-01/Accounts/*/**", cost: 2),
            rule("/2010-04-01/Accounts/*/Messages.json", cost: 3),
            rule("/2010-04-01/Accounts/*/Messages.json", method: "POST", cost: 4),
            rule("/2010-04-01/Accounts/AC1/Messages.json", cost: 5),
        ])
        #expect(matcher.match(method: "POST", path: "/2010-04-01/Accounts/AC9/Messages.json")?.cost.nanos == 4)
        #expect(matcher.match(method: "GET", path: "/2010-04-01/Accounts/AC9/Messages.json")?.cost.nanos == 3)
        #expect(matcher.match(method: "GET", path: "/2010-04-01/Accounts/AC1/Messages.json")?.cost.nanos == 5)
        #expect(matcher.match(method: "GET", path: "/2010-04-01/Accounts/AC9/Calls.json")?.cost.nanos == 2)
        #expect(matcher.match(method: "GET", path: "/v1/anything")?.cost.nanos == 1)
        #expect(CostRuleMatcher(rules: [rule("/a/*", cost: 1)]).match(method: "GET", path: "/a/b/c") == nil)
        #expect(CostRuleMatcher(rules: [rule("/a/*", cost: 1)]).match(method: "GET", path: "/a") == nil)
        #expect(CostRuleMatcher(rules: [rule("/a/**", cost: 1)]).match(method: "GET", path: "/a") != nil)
    }

    @Test("patterns must start with / and have ** only at the end")
    func validity() {
        #expect(CostRuleMatcher.isValid(pattern: "/v1/**"))
        #expect(!CostRuleMatcher.isValid(pattern: "v1/x"))
        #expect(!CostRuleMatcher.isValid(pattern: "/**/x"))
    }

    @Test("units come from a numeric field or a numeric string, else one")
    func units() {
        #expect(CostRuleMatcher.units(field: "num_segments", body: Array(#"{"num_segments":"3"}"#.utf8)) == 3)
        #expect(CostRuleMatcher.units(field: "usage.units", body: Array(#"{"usage":{"units":7}}"#.utf8)) == 7)
        #expect(CostRuleMatcher.units(field: "missing", body: Array(#"{"a":1}"#.utf8)) == 1)
        #expect(CostRuleMatcher.units(field: "x", body: Array("not json".utf8)) == 1)
    }
}
