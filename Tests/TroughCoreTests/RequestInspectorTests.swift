import Testing
import TroughCore

@Suite("Request inspection")
struct RequestInspectorTests {
    @Test("reads the model and streaming; asks an OpenAI stream for usage by inserting the option, keeping the rest byte for byte")
    func injection() {
        let body = Array(#"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"}"}]}"#.utf8)
        let inspection = RequestInspector.inspect(body: body, path: "/chat/completions", kind: .openai, injectStreamUsage: true)
        #expect(inspection.model == "gpt-4o")
        #expect(inspection.streams)
        #expect(inspection.injectedStreamUsage)
        #expect(inspection.rewrittenBody.map { String(decoding: $0, as: UTF8.self) } ==
                #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"}"}],"stream_options":{"include_usage":true}}"#)
    }

    @Test("leaves requests alone that already ask, do not stream, or are not OpenAI-style")
    func noInjection() {
        let asked = Array(#"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}"#.utf8)
        #expect(RequestInspector.inspect(body: asked, path: "/chat/completions", kind: .openai, injectStreamUsage: true).rewrittenBody == nil)
        let plain = Array(#"{"model":"gpt-4o"}"#.utf8)
        #expect(RequestInspector.inspect(body: plain, path: "/chat/completions", kind: .openai, injectStreamUsage: true).rewrittenBody == nil)
        let anthropic = Array(#"{"model":"claude-sonnet-4-5","stream":true,"max_tokens":10}"#.utf8)
        let inspection = RequestInspector.inspect(body: anthropic, path: "/v1/messages", kind: .anthropic, injectStreamUsage: true)
        #expect(inspection.rewrittenBody == nil)
        #expect(inspection.maxOutputTokens == 10)
        #expect(RequestInspector.inspect(body: Array(#"{"model":"gpt-4o","stream":true}"#.utf8), path: "/chat/completions", kind: .openai, injectStreamUsage: false).rewrittenBody == nil)
    }

    @Test("an explicit include_usage false is turned on")
    func explicitFalse() throws {
        let body = Array(#"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":false}}"#.utf8)
        let rewritten = try #require(RequestInspector.inspect(body: body, path: "/chat/completions", kind: .openaiCompatible, injectStreamUsage: true).rewrittenBody)
        #expect(String(decoding: rewritten, as: UTF8.self).contains(#""include_usage":true"#))
    }

    @Test("the service tier a request asks for, which budgets reserve at")
    func serviceTier() {
        func tier(_ body: String, kind: ProviderKind = .openai) -> ServiceTier? {
            RequestInspector.inspect(body: Array(body.utf8), path: "/v1/chat/completions", kind: kind, injectStreamUsage: false).serviceTier
        }
        #expect(tier(#"{"model":"gpt-5","service_tier":"priority"}"#) == .priority)
        #expect(tier(#"{"model":"gpt-5","service_tier":"fast"}"#) == .priority)
        #expect(tier(#"{"model":"gpt-5","service_tier":"flex"}"#) == .flex)
        #expect(tier(#"{"contents":[],"serviceTier":"SERVICE_TIER_PRIORITY"}"#, kind: .gemini) == .priority)
        #expect(tier(#"{"model":"gpt-5","service_tier":"auto"}"#) == nil)
        // Anthropic's fast mode is asked for with `speed` (its `service_tier` is `auto` or `standard_only`).
        #expect(tier(#"{"model":"claude-opus-5-5","speed":"fast","service_tier":"auto"}"#, kind: .anthropic) == .fastMode)
        #expect(tier(#"{"model":"claude-opus-5-5","speed":"standard"}"#, kind: .anthropic) == nil)
        #expect(tier(#"{"model":"gpt-5","speed":"fast"}"#) == nil)
        #expect(tier(#"{"model":"gpt-5","messages":[{"role":"user","content":"service_tier: priority"}]}"#) == nil)
    }

    @Test("speech requests' characters; image requests' count")
    func units() {
        let speech = RequestInspector.inspect(body: Array(#"{"model":"tts-1","input":"Café 😀","voice":"alloy"}"#.utf8), path: "/v1/audio/speech", kind: .openai, injectStreamUsage: true)
        #expect(speech.characters == 6 && speech.model == "tts-1" && !speech.countsImages)
        let images = RequestInspector.inspect(body: Array(#"{"model":"dall-e-3","prompt":"x","n":3}"#.utf8), path: "/v1/images/generations", kind: .openai, injectStreamUsage: true)
        #expect(images.countsImages && images.imagesRequested == 3)
        let one = RequestInspector.inspect(body: Array(#"{"instances":[{"prompt":"x"}]}"#.utf8), path: "/v1beta/models/imagen-3.0-generate-001:predict", kind: .gemini, injectStreamUsage: true)
        #expect(one.countsImages && one.imagesRequested == 1 && one.model == "imagen-3.0-generate-001")
        // Elsewhere `input` is not read (a Responses API conversation can be large).
        let responses = RequestInspector.inspect(body: Array(#"{"model":"gpt-5","input":"Hello"}"#.utf8), path: "/v1/responses", kind: .openai, injectStreamUsage: true)
        #expect(responses.characters == 0 && !responses.countsImages)
    }

    @Test("Gemini: model and streaming from the path")
    func gemini() {
        let inspection = RequestInspector.inspect(body: Array("{}".utf8), path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", kind: .gemini, injectStreamUsage: true)
        #expect(inspection.model == "gemini-2.5-flash")
        #expect(inspection.streams)
    }

    @Test("routes collapse ids; tags are bounded")
    func routesAndTags() {
        #expect(RouteNormalizer.route(for: "/v1/files/file-abc123DEF456ghi789JKL") == "/v1/files/{id}")
        #expect(RouteNormalizer.route(for: "/2010-04-01/Accounts/AC1234567890abcdef1234567890abcdef/Messages.json") == "/2010-04-01/Accounts/{id}/Messages.json")
        #expect(RouteNormalizer.route(for: "/v1/users/42/orders/550e8400-e29b-41d4-a716-446655440000") == "/v1/users/{id}/orders/{id}")
        #expect(RouteNormalizer.route(for: "/v1beta/models/gemini-2.5-flash:generateContent") == "/v1beta/models/gemini-2.5-flash:generateContent")
        #expect(RouteNormalizer.route(for: "") == "/")
        #expect(RouteNormalizer.route(for: "/") == "/")
        #expect(RouteNormalizer.route(for: "/v1/chat/completions") == "/v1/chat/completions")
        #expect(RouteNormalizer.route(for: "/v1/batches/batch_abc123def456ghi789/") == "/v1/batches/{id}/")
        #expect(RouteNormalizer.route(for: "//a//123") == "//a//{id}")
        #expect(RouteNormalizer.route(for: "/v1/deadbeef1234") == "/v1/{id}")
        #expect(RouteNormalizer.route(for: "/v1/deadbeefcafe") == "/v1/deadbeefcafe")
        let long = "/v1/" + String(repeating: "segment/", count: 40)
        #expect(RouteNormalizer.route(for: long) == String(long.prefix(256)))
        #expect(RouteNormalizer.route(for: long + "12345") == String(long.prefix(256)))
        #expect(RouteNormalizer.route(for: "/v1/x1y2z3w4v5u6t7s8r9q0.json") == "/v1/x1y2z3w4v5u6t7s8r9q0.json")
        // Non-ASCII paths take the same rules by character.
        #expect(RouteNormalizer.route(for: "/v1/dateien/é/12345") == "/v1/dateien/é/{id}")
        #expect(RouteNormalizer.route(for: "/v1/ü/file-abc123DEF456ghi789/550e8400-e29b-41d4-a716-446655440000/a.b")
            == "/v1/ü/{id}/{id}/a.b")
        #expect(RouteNormalizer.route(for: "/" + String(repeating: "a", count: 300)).utf8.count == 256)
        #expect(RequestTags.json(RequestTags.parse("feature=chat, user=42,bad key=x,evil=\"quote\"")) == #"{"feature":"chat","user":"42"}"#)
        #expect(RequestTags.parse((0..<30).map { "k\($0)=v" }.joined(separator: ",")).count == 10)
        // Edges: blanks around keys and values, empty pairs, a second "=", lengths, characters, the pair budget.
        #expect(RequestTags.parse(" a = 1 ,\tb=2\t,,,c=,=d,e==f,g=h=i") == ["a": "1", "b": "2"])
        #expect(RequestTags.parse("user=alice@example.com,path=/v1/x:y,v=1.2_3-4") == ["user": "alice@example.com", "path": "/v1/x:y", "v": "1.2_3-4"])
        #expect(RequestTags.parse(String(repeating: "k", count: 32) + "=" + String(repeating: "v", count: 64)).count == 1)
        #expect(RequestTags.parse(String(repeating: "k", count: 33) + "=v,k=" + String(repeating: "v", count: 65)).isEmpty)
        #expect(RequestTags.parse("é=1,k=ü,k2=a b") == [:])
        #expect(RequestTags.parse("k=1,k=2") == ["k": "2"], "a repeated key: the last one")
        #expect(RequestTags.parse((0..<20).map { "bad key\($0)=v" }.joined(separator: ",") + ",late=1").isEmpty, "20 pairs are read at most")
        #expect(RequestTags.parse(nil).isEmpty && RequestTags.parse("").isEmpty && RequestTags.parse(",,,").isEmpty)
    }
}

@Suite("Request inspection, top level only")
struct RequestInspectorTopLevelTests {
    @Test("keys inside messages or tool schemas do not count; only the request's own members do")
    func nestedKeysIgnored() {
        let body = Array(#"{"messages":[{"role":"user","content":"{\"model\":\"fake\",\"stream\":true}"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"stream":{"type":"boolean"},"model":{"type":"string"}}}}}],"model":"gpt-4o-mini"}"#.utf8)
        let inspection = RequestInspector.inspect(body: body, path: "/chat/completions", kind: .openai, injectStreamUsage: true)
        #expect(inspection.model == "gpt-4o-mini")
        #expect(!inspection.streams)
        #expect(inspection.rewrittenBody == nil)
    }

    @Test("a null stream_options is replaced, not duplicated")
    func nullOptions() throws {
        let body = Array(#"{"model":"gpt-4o","stream":true,"stream_options":null}"#.utf8)
        let rewritten = try #require(RequestInspector.inspect(body: body, path: "/chat/completions", kind: .openai, injectStreamUsage: true).rewrittenBody)
        let text = String(decoding: rewritten, as: UTF8.self)
        #expect(text.components(separatedBy: "stream_options").count == 2)
        #expect(text.contains(#""include_usage":true"#))
    }

    @Test("a GET fetches a stored answer; only OpenAI's /responses and /batches paths may answer with a job")
    func storedAnswersAndJobs() {
        func inspect(_ path: String, _ method: String, kind: ProviderKind = .openai) -> RequestInspection {
            RequestInspector.inspect(body: nil, path: path, kind: kind, injectStreamUsage: false, method: method)
        }
        let poll = inspect("/responses/resp_1", "GET")
        #expect(poll.fetchesStoredAnswer && poll.readsJobs)
        let cancel = inspect("/batches/batch_1/cancel", "POST")
        #expect(!cancel.fetchesStoredAnswer && cancel.readsJobs)
        #expect(inspect("/responses", "POST").readsJobs)
        let stored = inspect("/chat/completions/chatcmpl-1", "GET")
        #expect(stored.fetchesStoredAnswer && !stored.readsJobs)
        #expect(!inspect("/chat/completions", "POST").readsJobs)
        #expect(!inspect("/v1/messages/batches/msgbatch_1", "GET", kind: .anthropic).readsJobs)
    }
}

@Suite("Anthropic Message Batches")
struct AnthropicBatchTests {
    @Test("the results path names its batch; other batch paths have their results_url rewritten; other providers neither")
    func paths() {
        let results = RequestInspector.inspect(body: nil, path: "/v1/messages/batches/msgbatch_1/results", kind: .anthropic, injectStreamUsage: false, method: "GET")
        #expect(results.batchResultsOf == "msgbatch_1" && !results.linksBatchResults && results.fetchesStoredAnswer)
        for path in ["/v1/messages/batches/msgbatch_1", "/v1/messages/batches", "/v1/messages/batches/msgbatch_1/cancel"] {
            let inspection = RequestInspector.inspect(body: nil, path: path, kind: .anthropic, injectStreamUsage: false, method: "GET")
            #expect(inspection.linksBatchResults && inspection.batchResultsOf == nil, "\(path)")
        }
        #expect(RequestInspector.inspect(body: nil, path: "/v1/messages/batches/msgbatch_1/results", kind: .anthropic, injectStreamUsage: false, method: "POST").batchResultsOf == nil)
        #expect(!RequestInspector.inspect(body: nil, path: "/v1/messages", kind: .anthropic, injectStreamUsage: false, method: "GET").linksBatchResults)
        let other = RequestInspector.inspect(body: nil, path: "/v1/messages/batches/x/results", kind: .openaiCompatible, injectStreamUsage: false, method: "GET")
        #expect(other.batchResultsOf == nil && !other.linksBatchResults)
    }

    @Test("results_url is pointed at Trough wherever it is in the answer (a list too), however the JSON is spaced")
    func links() {
        let list = #"{"data":[{"id":"a","results_url":"https://api.anthropic.com/v1/messages/batches/a/results"},{"id":"b","results_url" : null},{"id":"c", "results_url":  "https://api.anthropic.com/v1/messages/batches/c/results"}],"has_more":false}"#
        let rewritten = BatchResultsLink.rewrite(Array(list.utf8), upstreamBase: "https://api.anthropic.com/", troughBase: "https://trough.example/proxy/claude")
        #expect(rewritten.map { String(decoding: $0, as: UTF8.self) } ==
                #"{"data":[{"id":"a","results_url":"https://trough.example/proxy/claude/v1/messages/batches/a/results"},{"id":"b","results_url" : null},{"id":"c", "results_url":  "https://trough.example/proxy/claude/v1/messages/batches/c/results"}],"has_more":false}"#)
        // A link elsewhere, a longer host that only starts the same, a created batch without results: unchanged.
        let elsewhere = #"{"results_url":"https://files.example/r","x":"https://api.anthropic.com.evil/v1"}"#
        #expect(BatchResultsLink.rewrite(Array(elsewhere.utf8), upstreamBase: "https://api.anthropic.com", troughBase: "https://t/proxy/c") == nil)
        #expect(BatchResultsLink.rewrite(Array(#"{"results_url":"https://api.anthropic.com.evil/v1/x"}"#.utf8), upstreamBase: "https://api.anthropic.com", troughBase: "https://t/proxy/c") == nil)
        #expect(BatchResultsLink.rewrite(Array(#"{"results_url":null}"#.utf8), upstreamBase: "https://api.anthropic.com", troughBase: "https://t/proxy/c") == nil)
    }

    @Test("results are summed over succeeded requests, in any chunking; several models are kept apart to be priced each")
    func results() {
        let succeeded = { (model: String, input: Int, output: Int) in
            #"{"custom_id":"r","result":{"type":"succeeded","message":{"id":"m","type":"message","model":"\#(model)","content":[{"type":"text","text":"{\"usage\":1}"}],"usage":{"input_tokens":\#(input),"cache_read_input_tokens":5,"output_tokens":\#(output)}}}}"#
        }
        let body = [succeeded("claude-sonnet-4-5", 10, 20), #"{"custom_id":"e","result":{"type":"expired"}}"#, succeeded("claude-sonnet-4-5", 1, 2)].joined(separator: "\n")
        for chunk in [1, 7, body.utf8.count] {
            var accumulator = UsageAccumulator(provider: .anthropic, contentType: "application/binary", requestModel: nil, batchResultsOf: "msgbatch_1")
            let bytes = Array(body.utf8)
            for start in stride(from: 0, to: bytes.count, by: chunk) { accumulator.consume(bytes[start..<min(start + chunk, bytes.count)]) }
            let usage = accumulator.usage()
            #expect(usage?.inputTokens == 11 && usage?.outputTokens == 22 && usage?.cachedInputTokens == 10)
            #expect(usage?.model == "claude-sonnet-4-5" && usage?.serviceTier == "batch" && usage?.deferredID == "msgbatch_1")
        }
        var mixed = UsageAccumulator(provider: .anthropic, contentType: nil, requestModel: nil, batchResultsOf: "msgbatch_2")
        mixed.consume(Array((succeeded("claude-sonnet-4-5", 1, 1) + "\n" + succeeded("claude-haiku-4-5", 1, 1)).utf8))
        #expect(mixed.usage()?.model == nil && mixed.usage()?.inputTokens == 2)
        #expect(mixed.usage()?.parts.map(\.model) == ["claude-sonnet-4-5", "claude-haiku-4-5"] && mixed.usage()?.parts.map(\.inputTokens) == [1, 1])
        #expect(accumulatorParts("claude-sonnet-4-5") == [], "one model: no parts")
        var nothing = UsageAccumulator(provider: .anthropic, contentType: nil, requestModel: nil, batchResultsOf: "msgbatch_3")
        nothing.consume(Array(#"{"custom_id":"e","result":{"type":"canceled"}}"#.utf8))
        #expect(nothing.usage() == nil)
    }

    private func accumulatorParts(_ model: String) -> [Usage] {
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: nil, requestModel: nil, batchResultsOf: "msgbatch_4")
        let line = #"{"custom_id":"r","result":{"type":"succeeded","message":{"model":"\#(model)","usage":{"input_tokens":1,"output_tokens":1}}}}"#
        accumulator.consume(Array((line + "\n" + line).utf8))
        return accumulator.usage()?.parts ?? [Usage(model: "missing")]
    }
}
