import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A provider stand-in on loopback for proxy tests: answers like OpenAI, Anthropic and Gemini do
/// (recorded shapes, streamed or not), and remembers what it received.
final class MockUpstream: Sendable {
    struct Received: Sendable {
        let method: String
        let path: String
        let query: String?
        let headers: HTTPFields
        let body: String
    }

    let received = Mutex<[Received]>([])
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var last: Received? { received.withLock { $0.last } }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts the upstream on a free port; `stop()` ends it.
    static func start() async throws -> MockUpstream {
        let recorder = Recorder()
        let router = Router()
        router.middlewares.add(recorder)
        MockRoutes.add(to: router)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "mock-upstream")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await value in portStream { port = value }
        let upstream = MockUpstream(port: port, group: group, task: task)
        recorder.sink.withLock { $0 = upstream }
        return upstream
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Records every request (with its body) before the routes answer.
    final class Recorder: RouterMiddleware, Sendable {
        typealias Context = BasicRequestContext
        let sink = Mutex<MockUpstream?>(nil)

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var request = request
            // `/early` answers before its body has come, so its body is not waited for here either.
            let body = request.uri.path == "/early" ? ByteBuffer() : try await request.collectBody(upTo: 1 << 24)
            let received = Received(method: request.method.rawValue, path: request.uri.path, query: request.uri.query, headers: request.headers, body: String(buffer: body))
            sink.withLock { upstream in upstream?.received.withLock { $0.append(received) } }
            return try await next(request, context)
        }
    }
}

/// The recorded answers.
enum MockRoutes {
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func sse(_ events: [String], delay: Duration = .zero) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"], body: ResponseBody { writer in
            for event in events {
                try await writer.write(ByteBuffer(string: event))
                if delay > .zero { try await Task.sleep(for: delay) }
            }
            try await writer.finish(nil)
        })
    }

    static func add(to router: Router<BasicRequestContext>) {
        // OpenAI chat completions: streams when asked, with a usage chunk only when stream_options.include_usage is set.
        router.post("/v1/chat/completions") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let model = object["model"] as? String ?? "gpt-4o"
            // The tier that served the request, as OpenAI names it in every answer and chunk.
            let tier: String = ["priority", "fast", "flex"].first { $0 == object["service_tier"] as? String } ?? "default"
            if request.headers[.authorization] == nil {
                return json(#"{"error":{"message":"You didn't provide an API key.","type":"invalid_request_error","param":null,"code":null}}"#, status: .unauthorized)
            }
            if (object["modalities"] as? [String])?.contains("audio") == true {
                return json("""
                    {"id":"chatcmpl-A","object":"chat.completion","created":1,"model":"\(model)-2025-08-28","choices":[{"index":0,"message":{"role":"assistant","content":null,\
                    "audio":{"id":"audio_1","data":"UklGRg==","expires_at":1,"transcript":"Hi"}},"finish_reason":"stop"}],\
                    "usage":{"prompt_tokens":100,"completion_tokens":300,"total_tokens":400,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":80,"text_tokens":20},\
                    "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":250,"text_tokens":50}},"service_tier":"default"}
                    """)
            }
            guard object["stream"] as? Bool == true else {
                // The snapshot that answered (a fine-tuned model answers under its own name).
                let answered = model.hasPrefix("ft:") ? model : model + "-2024-08-06"
                return json("""
                    {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"\(answered)",\
                    "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],\
                    "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,\
                    "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0\(model.hasPrefix("gpt-5.6") ? #","cache_write_tokens":120"# : "")},\
                    "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},\
                    "service_tier":"\(tier)","system_fingerprint":"fp_fc9f1d7035"}
                    """)
            }
            let includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
            let usageField = includeUsage ? #","usage":null"# : ""
            // `X-Mock-Slow`: the role chunk and ten one-token chunks, then the rest five seconds later (a stream to cut short).
            if request.headers[HTTPField.Name("X-Mock-Slow")!] != nil {
                let chunk = { (delta: String, finish: String) in
                    #"data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}]\#(usageField)}"# + "\n\n"
                }
                let first = chunk(#"{"role":"assistant","content":""}"#, "null") + (0..<10).map { chunk(#"{"content":"w\#($0) "}"#, "null") }.joined()
                let usage = includeUsage ? #"data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":500,"total_tokens":2500}}"# + "\n\n" : ""
                let last = chunk("{}", #""stop""#) + usage + "data: [DONE]\n\n"
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: first))
                    try await Task.sleep(for: .seconds(5))
                    try await writer.write(ByteBuffer(string: last))
                    try await writer.finish(nil)
                })
            }
            var events = [
                #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"\#(tier)","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]\#(usageField)}"# + "\n\n",
                #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"\#(tier)","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]\#(usageField)}"# + "\n\n",
                #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"\#(tier)","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]\#(usageField)}"# + "\n\n",
            ]
            if includeUsage {
                events.append(#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"\#(tier)","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":500,"total_tokens":2500,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"# + "\n\n")
            }
            events.append("data: [DONE]\n\n")
            return sse(events)
        }

        // OpenAI Responses API, streamed (typed events, usage only in response.completed) or not.
        router.post("/v1/responses") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let message = #"{"id":"msg_68a1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}]}"#
            let usage = #"{"input_tokens":1500,"input_tokens_details":{"cached_tokens":500},"output_tokens":400,"output_tokens_details":{"reasoning_tokens":256},"total_tokens":1900}"#
            // With the image generation tool: the tool echoed with its model, and its tokens in `tool_usage` (not in `usage`).
            let imageTool = (object["tools"] as? [[String: Any]])?.first { $0["type"] as? String == "image_generation" }
            let tools = imageTool.map { #"[{"type":"image_generation","model":"\#($0["model"] as? String ?? "gpt-image-2")","quality":"high","size":"auto"}]"# } ?? "[]"
            let toolUsage = imageTool == nil ? "" : #","tool_usage":{"image_gen":{"input_tokens":300,"input_tokens_details":{"image_tokens":0,"text_tokens":300},"output_tokens":4000,"total_tokens":4300,"output_tokens_details":{"image_tokens":4000,"text_tokens":0}},"web_search":{"num_requests":0}}"#
            func response(_ status: String, output: String, usage: String) -> String {
                #"{"id":"resp_68a1c0ffee","object":"response","created_at":1755628216,"status":"\#(status)","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5-2025-08-07","output":[\#(output)],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"service_tier":"default","store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":\#(tools),"top_p":1.0,"truncation":"disabled","usage":\#(usage)\#(usage == "null" ? "" : toolUsage),"user":null,"metadata":{}}"#
            }
            // With the file search tool: two file_search_call items (and, streamed, their completed events).
            let fileSearch = (object["tools"] as? [[String: Any]])?.contains { $0["type"] as? String == "file_search" } == true
            let searchItems = fileSearch ? #"{"type":"file_search_call","id":"fs_1","status":"completed","queries":["q"],"results":null},{"type":"file_search_call","id":"fs_2","status":"completed","queries":["r"],"results":null},"# : ""
            guard object["stream"] as? Bool == true else { return json(response("completed", output: searchItems + message, usage: usage)) }
            let searchEvents: [(String, String)] = fileSearch ? ["fs_1", "fs_2"].enumerated().map { index, id in
                ("response.file_search_call.completed", #"{"type":"response.file_search_call.completed","sequence_number":\#(20 + index),"output_index":\#(index),"item_id":"\#(id)"}"#)
            } : []
            let events: [(String, String)] = searchEvents + [
                ("response.created", #"{"type":"response.created","sequence_number":0,"response":\#(response("in_progress", output: "", usage: "null"))}"#),
                ("response.in_progress", #"{"type":"response.in_progress","sequence_number":1,"response":\#(response("in_progress", output: "", usage: "null"))}"#),
                ("response.output_item.added", #"{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_68a1","type":"message","status":"in_progress","role":"assistant","content":[]}}"#),
                ("response.content_part.added", #"{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_68a1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}"#),
                ("response.output_text.delta", #"{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_68a1","output_index":0,"content_index":0,"delta":"Hel","logprobs":[]}"#),
                ("response.output_text.delta", #"{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_68a1","output_index":0,"content_index":0,"delta":"lo","logprobs":[]}"#),
                ("response.output_text.done", #"{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_68a1","output_index":0,"content_index":0,"text":"Hello","logprobs":[]}"#),
                ("response.content_part.done", #"{"type":"response.content_part.done","sequence_number":7,"item_id":"msg_68a1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}}"#),
                ("response.output_item.done", #"{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":\#(message)}"#),
                ("response.completed", #"{"type":"response.completed","sequence_number":9,"response":\#(response("completed", output: message, usage: usage))}"#),
            ]
            return sse(events.map { "event: \($0.0)\ndata: \($0.1)\n\n" })
        }

        // Stored answers read again: a Responses object (a background one when its id ends in bg00), a stored chat
        // completion and a batch, each carrying the usage billed when it was made.
        router.get("/v1/responses/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            return json(#"{"id":"\#(id)","object":"response","created_at":1741476542,"status":"completed","background":\#(id.hasSuffix("bg00")),"model":"gpt-5-2025-08-07","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Done.","annotations":[]}]}],"service_tier":"default","usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":0},"output_tokens":500,"output_tokens_details":{"reasoning_tokens":200},"total_tokens":1500}}"#)
        }
        router.get("/v1/chat/completions/{id}") { _, context in
            json(#"{"id":"\#(context.parameters.get("id") ?? "")","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500}}"#)
        }
        router.get("/v1/batches/{id}") { _, context in
            json(#"{"id":"\#(context.parameters.get("id") ?? "")","object":"batch","endpoint":"/v1/chat/completions","status":"completed","model":"gpt-4o-2024-08-06","request_counts":{"total":100,"completed":100,"failed":0},"usage":{"input_tokens":50000,"input_tokens_details":{"cached_tokens":0},"output_tokens":20000,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":70000}}"#)
        }

        // An Anthropic Message Batch that has ended, its `results_url` at this upstream (as Anthropic's is at
        // api.anthropic.com), and its results: two requests succeeded (one with cache reads), one errored.
        router.get("/v1/messages/batches/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            let results = "http://\(request.head.authority ?? "")/v1/messages/batches/\(id)/results"
            return json(#"{"id":"\#(id)","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":2,"errored":1,"canceled":0,"expired":0},"ended_at":"2025-10-01T12:00:00Z","created_at":"2025-10-01T11:00:00Z","expires_at":"2025-10-02T11:00:00Z","archived_at":null,"cancel_initiated_at":null,"results_url": "\#(results)"}"#)
        }
        router.get("/v1/messages/batches/{id}/results") { request, _ in
            var lines = [
                #"{"custom_id":"req-1","result":{"type":"succeeded","message":{"id":"msg_014VwiXbi91y3JMjcpyGBHX5","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":500,"service_tier":"batch"}}}}"#,
                #"{"custom_id":"req-2","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}}}"#,
                #"{"custom_id":"req-3","result":{"type":"succeeded","message":{"id":"msg_01FqfsLoHwgeFbguDgpz48m7","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Sure."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2000,"cache_creation_input_tokens":0,"cache_read_input_tokens":10000,"output_tokens":1000,"service_tier":"batch"}}}}"#,
            ]
            // `?mixed=1`: the third request ran on Claude Haiku 4.5 (a batch may mix models).
            if request.uri.query?.contains("mixed") == true {
                lines[2] = lines[2].replacingOccurrences(of: "claude-sonnet-4-5-20250929", with: "claude-haiku-4-5-20251001")
            }
            // `?slow=1`: the first line, then the rest 5 seconds later (a download to cut short).
            if request.uri.query?.contains("slow") == true {
                let lines = lines
                return Response(status: .ok, headers: [.contentType: "application/binary"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: lines[0] + "\n"))
                    try await Task.sleep(for: .seconds(5))
                    try await writer.write(ByteBuffer(string: lines.dropFirst().joined(separator: "\n") + "\n"))
                    try await writer.finish(nil)
                })
            }
            return Response(status: .ok, headers: [.contentType: "application/binary"], body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
        }

        // Anthropic messages, streamed, with cache reads and writes.
        // Token counting (free): Anthropic's, OpenAI's for the Responses API.
        router.post("/v1/messages/count_tokens") { _, _ in
            json(#"{"input_tokens":2095}"#)
        }
        router.post("/v1/responses/input_tokens") { _, _ in
            json(#"{"object":"response.input_tokens","input_tokens":11}"#)
        }
        router.post("/v1/messages") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            // A request naming a `speed` (fast mode), an `inference_geo` or `context_management` (compaction) is answered
            // as the model it asks for, the speed and the geo in `usage.speed` and `usage.inference_geo`; one with context
            // management and an advisor tool reports a compaction and the advisor's sub-inference in `usage.iterations`.
            let askedSpeed = object["speed"] as? String
            let askedGeo = object["inference_geo"] as? String
            let compacts = object["context_management"] != nil
            let advisor = ((object["tools"] as? [[String: Any]])?.first { ($0["type"] as? String)?.hasPrefix("advisor_") == true })?["model"] as? String
            let model = askedSpeed == nil && askedGeo == nil && !compacts ? "claude-sonnet-4-5-20250929" : object["model"] as? String ?? ""
            let speed = (askedSpeed.map { #","speed":"\#($0)""# } ?? "") + (askedGeo.map { #","inference_geo":"\#($0)""# } ?? "")
            if compacts {
                let zero = #""cache_creation_input_tokens":0,"cache_read_input_tokens":0"#
                let iterations = #"[{"type":"compaction","input_tokens":180000,\#(zero),"output_tokens":3500},{"type":"message","input_tokens":20000,\#(zero),"output_tokens":600},"#
                    + (advisor.map { #"{"type":"advisor_message","model":"\#($0)","input_tokens":12000,"cache_creation_input_tokens":0,"cache_read_input_tokens":2000,"output_tokens":1500},"# } ?? "")
                    + #"{"type":"message","input_tokens":3000,\#(zero),"output_tokens":400}]"#
                let usage = #"{"input_tokens":23000,\#(zero),"output_tokens":1000,"iterations":\#(iterations)}"#
                if object["stream"] as? Bool == true {
                    return sse([
                        #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_01C","type":"message","role":"assistant","content":[],"model":"\#(model)","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":23000,\#(zero),"output_tokens":1}}}"# + "\n\n",
                        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Done.\"}}\n\n",
                        #"event: message_delta\#ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(usage)}"# + "\n\n",
                        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                    ])
                }
                return json(#"{"id":"msg_01C","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"compaction","content":"Summary."},{"type":"text","text":"Done."}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(usage)}"#)
            }
            if object["stream"] as? Bool == true {
                return sse([
                    #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"\#(model)","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":2000,"cache_read_input_tokens":10000,"output_tokens":1\#(speed)}}}"# + "\n\n",
                    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                    "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
                    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n",
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                ])
            }
            // With the web search tool: three searches, counted in usage.server_tool_use.
            let searches = (object["tools"] as? [[String: Any]])?.contains { ($0["type"] as? String)?.hasPrefix("web_search") == true } == true
                ? #","server_tool_use":{"web_search_requests":3}"# : ""
            return json(#"{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":503\#(searches)\#(speed)}}"#)
        }

        // A finished Gemini batch with inlined results (GET /v1beta/batches/{id}): Gemini 2.5 Flash, two requests
        // succeeded (1,000 in, 200 + 300 thinking out; 3,000 in of which 2,000 cached, 500 out), one failed.
        router.get("/v1beta/batches/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            func response(_ usage: String) -> String {
                #"{"candidates":[{"content":{"parts":[{"text":"Sure."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":\#(usage),"modelVersion":"gemini-2.5-flash","responseId":"r"}"#
            }
            let first = response(#"{"promptTokenCount":1000,"candidatesTokenCount":200,"thoughtsTokenCount":300,"totalTokenCount":1500}"#)
            let third = response(#"{"promptTokenCount":3000,"cachedContentTokenCount":2000,"candidatesTokenCount":500,"totalTokenCount":3500}"#)
            // The results both in the batch's `metadata.output` (where the google-genai SDK reads them) and in the
            // operation's `response` (where the REST docs do): counted once.
            let inlined = #""inlinedResponses":{"inlinedResponses":[{"response":\#(first),"metadata":{"key":"1"}},{"error":{"code":400,"message":"bad"},"metadata":{"key":"2"}},{"response":\#(third),"metadata":{"key":"3"}}]}"#
            return json(#"{"name":"batches/\#(id)","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":"models/gemini-2.5-flash","displayName":"job","output":{\#(inlined)},"batchStats":{"requestCount":"3","successfulRequestCount":"2","failedRequestCount":"1"},"state":"BATCH_STATE_SUCCEEDED","name":"batches/\#(id)"},"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",\#(inlined)}}"#)
        }
        // A Gemini batch's results file (GET /v1beta/files/{id}:download?alt=media, as the google-genai SDK asks; the REST
        // docs put it under /download/): Gemini 2.5 Pro, two requests of 150,000 prompt tokens and 1,000 out each
        // (together over Pro's 200k long-context threshold), one error.
        router.get("/v1beta/files/{file}") { _, _ in
            let line = #"{"key":"k","response":{"candidates":[{"content":{"parts":[{"text":"Done."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":150000,"candidatesTokenCount":1000,"totalTokenCount":151000},"modelVersion":"gemini-2.5-pro","responseId":"r"}}"#
            let error = #"{"key":"e","error":{"code":500,"message":"Internal error"}}"#
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(string: [line, error, line].joined(separator: "\n") + "\n")))
        }

        // Gemini generateContent (and streamGenerateContent?alt=sse, cumulative usage per chunk) with thinking and cached tokens.
        // A request for the priority tier is answered with Gemini's x-gemini-service-tier header.
        router.post("/v1beta/models/{model}") { request, _ in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            if body.contains(#""service_tier":"priority""#) {
                var response = json(#"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"totalTokenCount":1500,"cachedContentTokenCount":400,"thoughtsTokenCount":300},"modelVersion":"gemini-2.5-flash","responseId":"abc"}"#)
                response.headers[HTTPField.Name("x-gemini-service-tier")!] = "priority"
                return response
            }
            if request.uri.path.hasSuffix(":countTokens") {
                return json(#"{"totalTokens":31,"promptTokensDetails":[{"modality":"TEXT","tokenCount":31}]}"#)
            }
            if request.uri.path.hasSuffix(":streamGenerateContent") {
                return sse([
                    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 1000,\"candidatesTokenCount\": 2,\"totalTokenCount\": 1002,\"cachedContentTokenCount\": 400,\"thoughtsTokenCount\": 300},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n",
                    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 1000,\"candidatesTokenCount\": 200,\"totalTokenCount\": 1500,\"cachedContentTokenCount\": 400,\"thoughtsTokenCount\": 300},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n",
                ])
            }
            return json(#"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"totalTokenCount":1500,"cachedContentTokenCount":400,"thoughtsTokenCount":300},"modelVersion":"gemini-2.5-flash","responseId":"abc"}"#)
        }

        // Mistral: OpenAI-shaped, usage on the last streamed chunk without being asked.
        router.post("/mistral/v1/chat/completions") { request, _ in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            if body.contains(#""stream":true"#) {
                return sse([
                    #"data: {"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"# + "\n\n",
                    #"data: {"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"total_tokens":150,"completion_tokens":50}}"# + "\n\n",
                    "data: [DONE]\n\n",
                ])
            }
            return json(#"{"id":"cmpl-e5cc70bb","object":"chat.completion","created":1702256327,"model":"mistral-large-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","tool_calls":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"total_tokens":150,"completion_tokens":50}}"#)
        }

        // Cohere v2 chat: billed units, streamed as message-end.
        router.post("/cohere/v2/chat") { request, _ in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            if body.contains(#""stream":true"#) {
                return sse([
                    "event: message-start\ndata: {\"id\":\"29f14a5a\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[]}}}\n\n",
                    "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hi\"}}}}\n\n",
                    "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"billed_units\":{\"input_tokens\":120,\"output_tokens\":30},\"tokens\":{\"input_tokens\":190,\"output_tokens\":30}}}}\n\n",
                ])
            }
            return json(#"{"id":"c14c80c3","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hi"}]},"usage":{"billed_units":{"input_tokens":120,"output_tokens":30},"tokens":{"input_tokens":190,"output_tokens":30}}}"#)
        }

        // Cohere v2 rerank: billed per search unit (a query over up to 100 documents).
        // Cohere Embed of images: billed per image.
        router.post("/cohere/v2/embed") { _, _ in
            json(#"{"id":"da6e531f-0000-4b2a-8a1e-000000000001","embeddings":{"float":[[0.125,-0.375]]},"texts":[],"images":[{"width":400,"height":400,"format":"image/png","bit_depth":24}],"meta":{"api_version":{"version":"2"},"billed_units":{"images":1}},"response_type":"embeddings_by_type"}"#)
        }

        router.post("/cohere/v2/rerank") { _, _ in
            json(#"{"results":[{"index":3,"relevance_score":0.999071},{"index":4,"relevance_score":0.7867867}],"id":"5807ee2e-0cda-445a-9ec8-864c60a06606","meta":{"api_version":{"version":"2"},"billed_units":{"search_units":2}}}"#)
        }

        // Mistral OCR: billed per page processed (the response names the dated model that served it), and per page
        // annotated when the request asks for a document annotation.
        router.post("/mistral/v1/ocr") { request, _ in
            var request = request
            if String(buffer: try await request.collectBody(upTo: 1 << 24)).contains("document_annotation_format") {
                return json(#"{"pages":[{"index":0,"markdown":"Invoice\\n\\nTotal: 12.00","images":[],"dimensions":{"dpi":200,"height":2200,"width":1700}}],"model":"mistral-ocr-2512","document_annotation":"{\\"total\\": \\"12.00\\"}","usage_info":{"pages_processed":3,"pages_processed_annotation":3,"doc_size_bytes":48213}}"#)
            }
            return json(#"{"pages":[{"index":0,"markdown":"Invoice\\n\\nTotal: 12.00","images":[],"dimensions":{"dpi":200,"height":2200,"width":1700}}],"model":"mistral-ocr-2512","document_annotation":null,"usage_info":{"pages_processed":3,"doc_size_bytes":48213}}"#)
        }

        // Groq (OpenAI-compatible): usage under x_groq on the last chunk.
        router.post("/groq/openai/v1/chat/completions") { _, _ in
            sse([
                #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01"}}"# + "\n\n",
                #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01","usage":{"queue_time":0.02,"prompt_tokens":24,"prompt_time":0.001,"completion_tokens":377,"completion_time":0.5,"total_tokens":401,"total_time":0.501}}}"# + "\n\n",
                "data: [DONE]\n\n",
            ])
        }

        // Ollama's native API: NDJSON, counts on the final line.
        router.post("/api/chat") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody(contentsOf: [
                ByteBuffer(string: #"{"model":"llama3.2","created_at":"2026-11-23T08:52:19.385406455Z","message":{"role":"assistant","content":"Hi"},"done":false}"# + "\n"),
                ByteBuffer(string: #"{"model":"llama3.2","created_at":"2026-11-23T08:52:19.385406455Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":290,"eval_duration":4535599000}"# + "\n"),
            ]))
        }

        // Whisper: a multipart upload, answered with the audio's duration as usage.
        router.post("/v1/audio/transcriptions") { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 24)
            return json(#"{"text":"Imagine the wildest idea that you've ever had.","usage":{"type":"duration","seconds":9.2}}"#)
        }
        // Text to speech: audio bytes back, no usage (tts-1 is billed per character of the input); with
        // `stream_format: "sse"`, OpenAI's speech events, the last with token usage.
        router.post("/v1/audio/speech") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            if object["stream_format"] as? String == "sse" {
                return sse([
                    "data: {\"type\":\"speech.audio.delta\",\"audio\":\"SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4\"}\n\n",
                    "data: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":14,\"output_tokens\":1052,\"total_tokens\":1066}}\n\n",
                ])
            }
            return Response(status: .ok, headers: [.contentType: "audio/mpeg"], body: .init(byteBuffer: ByteBuffer(bytes: [0xFF, 0xF3, 0x44, 0xC4] + Array(repeating: 0, count: 4096))))
        }
        // Image generation without token usage (images priced per image): `n` images of ~400 KB of base64 each.
        router.post("/v1/images/generations") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let count = object["n"] as? Int ?? 1
            let image = String(repeating: "iVBORw0KGgoAAAANSUhEUgAA", count: 17_000)
            let items = (0..<count).map { _ in #"{"b64_json": "\#(image)", "revised_prompt": "a \"url\": here"}"# }
            // gpt-image models report tokens too (the output without a breakdown: the image's tokens).
            let usage = (object["model"] as? String)?.hasPrefix("gpt-image") == true
                ? #","usage":{"total_tokens":4610,"input_tokens":50,"output_tokens":4560,"input_tokens_details":{"text_tokens":50,"image_tokens":0}}"# : ""
            return json(#"{"created":1713833628,"data":[\#(items.joined(separator: ","))]\#(usage)}"#)
        }

        // A model nobody has priced.
        router.post("/v1/completions") { _, _ in
            json(#"{"id":"cmpl-1","object":"text_completion","created":1,"model":"my-private-finetune","choices":[{"text":"x","index":0,"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#)
        }

        // Echoes what arrived, for header and body fidelity checks.
        router.on("/echo/**", method: .put) { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            return Response(status: .created, headers: [.contentType: "application/octet-stream", HTTPField.Name("X-Upstream-Custom")!: "yes"], body: .init(byteBuffer: body))
        }
        router.get("/echo/**") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain", HTTPField.Name("X-Upstream-Custom")!: "yes"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }

        // Refuses at once, before reading the request body (as an upstream checking only the head does).
        router.post("/early") { _, _ in
            json(#"{"error":{"type":"forbidden"}}"#, status: .forbidden)
        }

        // Twilio-like: an SMS priced per segment.
        router.post("/2010-04-01/Accounts/{account}/Messages.json") { _, _ in
            json(#"{"account_sid":"AC0123456789abcdef0123456789abcdef","body":"Hello","num_segments":"2","price":null,"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}"#, status: .created)
        }
        router.get("/2010-04-01/Accounts/{account}/Messages.json") { _, _ in
            json(#"{"messages":[]}"#)
        }

        // Slow answers and slow streams.
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(5))
            return json("{}")
        }
        router.post("/slow-stream") { _, _ in
            sse((0..<50).map { "data: {\"i\":\($0)}\n\n" }, delay: .milliseconds(100))
        }
        // Two events, then nothing for 5 seconds, then the end.
        router.post("/stalling-stream") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "data: {\"i\":0}\n\ndata: {\"i\":1}\n\n"))
                try await Task.sleep(for: .seconds(5))
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
        }
    }
}
