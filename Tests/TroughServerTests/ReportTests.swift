import Foundation
import HTTPTypes
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

extension ServerSuites {
    @Suite("Reporting API and CSV exports")
    struct ReportTests {
        /// 3 OpenAI chat completions at $0.00472 (tagged feature=chat ×2, feature=search,user=a ×1) and
        /// 2 SMS at $0.01 (feature=sms): 5 requests, $0.03416.
        static func traffic(_ app: TestApp, upstream: MockUpstream) async throws -> ProxySetup {
            let setup = try await ProxySetup.make(app, upstream: upstream)
            try await setup.addService(app, name: "sms", kind: "generic", baseURL: upstream.baseURL)
            let services = try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/services").list("services")
            let sms = try #require(services.first { $0["name"] as? String == "sms" }?["id"] as? String)
            #expect(try await setup.owner.send(.post, "/api/services/\(sms)/rules", ["path_pattern": "/2010-04-01/Accounts/*/Messages.json", "cost_usd": "0.01"]).status == 201)
            for tags in ["feature=chat", "feature=chat", "feature=search,user=a"] {
                let response = try await ServerSuites.ProxyTests.call(app, .post, "/v1/chat/completions", token: setup.token, body: #"{"model":"gpt-4o","messages":[]}"#,
                                                                      headers: [HTTPField.Name("X-Trough-Tags")!: tags])
                #expect(response.status == 200)
            }
            for _ in 0..<2 {
                let response = try await ServerSuites.ProxyTests.call(app, .post, "/proxy/sms/2010-04-01/Accounts/AC1/Messages.json", token: setup.token, body: "Body=Hi",
                                                                      headers: [HTTPField.Name("X-Trough-Tags")!: "feature=sms", .contentType: "application/x-www-form-urlencoded"])
                #expect(response.status == 201)
            }
            #expect(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5).count == 5)
            return setup
        }

        static var today: String { String(Timestamp.now().iso8601.prefix(10)) }

        @Test("summary, daily, hourly and breakdowns add up to the requests sent, to the nano-dollar", arguments: PostgresTestServer.drivers)
        func reports(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                let setup = try await Self.traffic(app, upstream: upstream)
                let owner = setup.owner
                let base = "/api/projects/\(setup.projectID)/usage"

                var summary = try await owner.send(.get, base + "/summary")
                #expect(summary.status == 200)
                let today = try #require(summary.json["today"] as? [String: Any])
                #expect(today["date"] as? String == Self.today)
                #expect(today["requests"] as? Int == 5 && today["cost_usd"] as? String == "0.03416" && today["errors"] as? Int == 0)
                #expect(today["input_tokens"] as? Int == 3 * 176 && today["cached_input_tokens"] as? Int == 3 * 1024 && today["output_tokens"] as? Int == 900)
                #expect((summary.json["yesterday"] as? [String: Any])?["requests"] as? Int == 0)
                #expect((summary.json["month_to_date"] as? [String: Any])?["cost_usd"] as? String == "0.03416")
                #expect(summary.json["budget"] is NSNull)
                #expect((summary.json["plan"] as? [String: Any])?["requests_this_month"] as? Int == 5)

                #expect(try await owner.send(.patch, "/api/projects/\(setup.projectID)", ["monthly_budget_usd": "1.00"]).status == 200)
                summary = try await owner.send(.get, base + "/summary")
                let budget = try #require(summary.json["budget"] as? [String: Any])
                #expect(budget["percent_used"] as? String == "3.41" && budget["remaining_usd"] as? String == "0.96584" && budget["spent_usd"] as? String == "0.03416")
                let month = LimitPeriod(containing: .now())
                let daysInMonth = (month.end.milliseconds - month.start.milliseconds) / 86_400_000
                let elapsed = (Timestamp.now().milliseconds - month.start.milliseconds) / 86_400_000 + 1
                #expect(budget["projected_usd"] as? String == Money(nanos: 34_160_000 * daysInMonth / elapsed).usdString)

                let daily = try await owner.send(.get, base + "/daily")
                let days = daily.list("days")
                #expect(days.count == 30)
                #expect(days.last?["date"] as? String == Self.today && days.last?["cost_usd"] as? String == "0.03416")
                #expect(days.dropLast().allSatisfy { $0["requests"] as? Int == 0 })
                #expect((daily.json["total"] as? [String: Any])?["requests"] as? Int == 5)
                let week = try await owner.send(.get, base + "/daily?from=\(days[23]["date"]!)&to=\(Self.today)")
                #expect(week.list("days").count == 7)

                let hourly = try await owner.send(.get, base + "/hourly?hours=24")
                #expect(hourly.list("hours").count == 24)
                #expect((hourly.json["total"] as? [String: Any])?["cost_usd"] as? String == "0.03416")

                let endpoints = try await owner.send(.get, base + "/breakdown?by=endpoint")
                #expect(endpoints.list("rows").map { $0["label"] as? String } == ["/2010-04-01/Accounts/*/Messages.json", "/chat/completions"])
                #expect(endpoints.list("rows").map { $0["share_percent"] as? String } == ["58.54", "41.45"])
                #expect(endpoints.json["other"] is NSNull)
                let top = try await owner.send(.get, base + "/breakdown?by=endpoint&limit=1")
                #expect((top.json["other"] as? [String: Any])?["cost_usd"] as? String == "0.01416")
                #expect(try await owner.send(.get, base + "/breakdown?by=service").list("rows").map { $0["label"] as? String } == ["sms", "openai"])
                #expect(try await owner.send(.get, base + "/breakdown?by=token").list("rows").map { $0["label"] as? String } == ["app"])
                #expect(try await owner.send(.get, base + "/breakdown?by=model").list("rows").map { $0["label"] as? String } == ["(none)", "gpt-4o-2024-08-06"])
                let tags = try await owner.send(.get, base + "/breakdown?by=tag:feature").list("rows")
                #expect(tags.map { $0["label"] as? String } == ["sms", "chat", "search"])
                #expect(tags.map { $0["requests"] as? Int } == [2, 2, 1])

                let bad = try await owner.send(.get, base + "/breakdown?by=colour")
                #expect(bad.status == 400 && bad.errorType == "validation_failed")
                #expect(try await owner.send(.get, base + "/daily?from=yesterday").status == 400)
                #expect(try await owner.send(.get, base + "/daily?from=2020-01-01&to=2026-01-01").status == 400)

                let tenant = try await owner.send(.get, "/api/tenants/\(owner.tenantID)/usage/summary")
                #expect((tenant.json["today"] as? [String: Any])?["requests"] as? Int == 5)
                let project = try #require(tenant.list("projects").first)
                #expect((project["budget"] as? [String: Any])?["percent_used"] as? String == "3.41")
                #expect((project["month_to_date"] as? [String: Any])?["cost_usd"] as? String == "0.03416")
            }
            await upstream.stop()
        }

        @Test("hourly trends are Pro only: Free gets 402 plan_limit_exceeded")
        func hourlyIsPro() async throws {
            try await TestApp.with(.sqlite) { app in
                let owner = try await APIUser.signUp(app)
                let project = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "P"]).string("id") ?? ""
                let hourly = try await owner.send(.get, "/api/projects/\(project)/usage/hourly")
                #expect(hourly.status == 402 && hourly.errorType == "plan_limit_exceeded")
                #expect(try await owner.send(.get, "/api/projects/\(project)/usage/daily").status == 200)
            }
        }

        @Test("CSV exports: a header row, zero-filled days, exact costs, RFC 4180 quoting, raw events streamed", arguments: PostgresTestServer.drivers)
        func csv(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                let setup = try await Self.traffic(app, upstream: upstream)
                let base = "/api/projects/\(setup.projectID)"
                let byDay = try await setup.owner.send(.get, base + "/usage/export.csv?by=day")
                #expect(byDay.status == 200)
                #expect(byDay.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(byDay.headers[.contentDisposition]?.hasPrefix("attachment; filename=") == true)
                let lines = byDay.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(lines.first == "date,requests,errors,unpriced,input_tokens,output_tokens,cached_input_tokens,reasoning_tokens,cost_usd,avg_latency_ms")
                #expect(lines.count == 31)
                #expect(lines.last?.hasPrefix("\(Self.today),5,0,0,528,900,3072,0,0.03416,") == true)

                let byEndpoint = try await setup.owner.send(.get, base + "/usage/export.csv?by=endpoint").body.components(separatedBy: "\r\n")
                #expect(byEndpoint[0].hasPrefix("endpoint,requests"))
                #expect(byEndpoint[1].hasPrefix("/2010-04-01/Accounts/*/Messages.json,2,0,0,0,0,0,0,0.02,"))
                let byService = try await setup.owner.send(.get, base + "/usage/export.csv?by=service").body.components(separatedBy: "\r\n")
                #expect(byService[0].hasPrefix("service_id,service,requests"))
                #expect(try await setup.owner.send(.get, base + "/usage/export.csv?by=colour").status == 400)

                let events = try await setup.owner.send(.get, base + "/events.csv")
                #expect(events.status == 200)
                let rows = events.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(rows.count == 6)
                #expect(rows[0] == ReportController.eventHeader.joined(separator: ","))
                #expect(rows.contains { $0.contains(#","{""feature"":""search"",""user"":""a""}","#) }, "tags with commas and quotes are quoted")
                #expect(rows.filter { $0.contains(",0.00472,usage,false,") }.count == 3)
                #expect(rows[1].hasPrefix(Self.today + "T"))
            }
            await upstream.stop()
        }

        @Test("CSV fields that a spreadsheet would run as formulas are neutralised; plain numbers are not")
        func csvQuoting() {
            #expect(CSV.line(["a,b", "say \"hi\"", "=SUM(A1)", "-3", "line\nbreak"]) == "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),-3,\"line\nbreak\"\r\n")
        }
    }
}
