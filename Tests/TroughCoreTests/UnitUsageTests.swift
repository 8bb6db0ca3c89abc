import Foundation
import Testing
@testable import TroughCore

/// APIs billed per unit: generated images, transcribed seconds, characters of speech, rerank search units, OCR pages.
@Suite("Per-unit usage")
struct UnitUsageTests {
    @Test("generated images are counted as the answer passes, however large and however chunked; quoted look-alikes are not")
    func images() throws {
        let image = String(repeating: "iVBORw0KGgoAAAANSUhEUgAA", count: 20_000)  // ~480 KB each: past what is kept whole
        let openAI = #"{"created":1713833628,"data":[{"b64_json":"\#(image)","revised_prompt":"a \"url\": x"},{"b64_json" : "\#(image)"},{"url":"https://x/3.png"}]}"#
        for chunkSize in [1, 7, 4096, Int.max] {
            var accumulator = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "dall-e-3", countsImages: true)
            feed(&accumulator, openAI, chunkSize: chunkSize)
            #expect(accumulator.usage()?.images == 3, "chunk size \(chunkSize)")
            #expect(accumulator.usage()?.model == "dall-e-3")
        }
        // Imagen (Gemini `:predict`).
        var imagen = UsageAccumulator(provider: .gemini, contentType: "application/json", requestModel: "imagen-3.0-generate-001", countsImages: true)
        feed(&imagen, #"{"predictions":[{"mimeType":"image/png","bytesBase64Encoded":"AAAA"},{"mimeType":"image/png","bytesBase64Encoded":"BBBB"}]}"#, chunkSize: 5)
        #expect(imagen.usage()?.images == 2)
        // gpt-image models report tokens too: both are kept, tokens win in pricing.
        var tokens = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-image-1", countsImages: true)
        feed(&tokens, #"{"created":1,"data":[{"b64_json":"AAAA"}],"usage":{"total_tokens":4210,"input_tokens":50,"output_tokens":4160,"input_tokens_details":{"text_tokens":50,"image_tokens":0}}}"#, chunkSize: 3)
        #expect(tokens.usage() == {
            var expected = Usage(model: "gpt-image-1", inputTokens: 50, outputTokens: 4160)
            expected.images = 1
            expected.imageOutputTokens = 4160  // an image generation's output without a breakdown is the images'
            return expected
        }())
        // An edit: the images given are image input tokens; a broken-down output keeps its text part.
        var edit = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-image-1.5", countsImages: true)
        feed(&edit, #"{"created":1,"data":[{"b64_json":"AAAA"}],"usage":{"total_tokens":5000,"input_tokens":400,"output_tokens":4600,"input_tokens_details":{"text_tokens":50,"image_tokens":350},"output_tokens_details":{"text_tokens":40,"image_tokens":4560}}}"#, chunkSize: 11)
        let edited = try #require(edit.usage())
        #expect(edited.imageInputTokens == 350 && edited.imageOutputTokens == 4560)
        // gpt-image-1.5: text in $5, image in $8, text out $10, image out $32 per M:
        // 50 × 5 + 350 × 8 + 40 × 10 + 4,560 × 32 = 149,370 micro-dollars ($0.14937).
        let price = try #require(try PriceTable.builtIn().price(provider: "openai", model: "gpt-image-1.5", at: .now()))
        #expect(price.cost(of: edited).nanos == 50 * 5_000 + 350 * 8_000 + 40 * 10_000 + 4_560 * 32_000)
        // Not an image request: nothing is counted.
        var chat = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-4o")
        feed(&chat, #"{"data":[{"url":"x"}]}"#, chunkSize: 4)
        #expect(chat.usage() == nil)
    }

    @Test("transcriptions: usage of type duration, verbose_json's duration, Mistral's prompt_audio_seconds, token usage")
    func transcriptions() {
        func usage(_ body: String, provider: ProviderKind = .openai) -> Usage? {
            var accumulator = UsageAccumulator(provider: provider, contentType: "application/json", requestModel: "whisper-1")
            feed(&accumulator, body, chunkSize: 3)
            return accumulator.usage()
        }
        #expect(usage(#"{"text":"Imagine the wildest idea that you've ever had.","usage":{"type":"duration","seconds":9.2}}"#)?.audioMilliseconds == 9_200)
        #expect(usage(#"{"text":"Hi","usage":{"type":"duration","seconds":3}}"#)?.audioMilliseconds == 3_000)
        let verbose = usage(#"{"task":"transcribe","language":"english","duration":8.470000267028809,"text":"The beach was a popular spot.","segments":[{"id":0,"seek":0,"start":0.0,"end":3.319999933242798,"text":" The beach","tokens":[50364],"temperature":0.0,"avg_logprob":-0.28,"compression_ratio":1.2,"no_speech_prob":0.009}]}"#)
        #expect(verbose?.audioMilliseconds == 8_470 && verbose?.hasTokens == false)
        let mistral = usage(#"{"model":"voxtral-mini-2602","text":"Hi","language":"en","segments":[],"usage":{"prompt_audio_seconds":203,"prompt_tokens":4,"total_tokens":3264,"completion_tokens":635}}"#, provider: .mistral)
        #expect(mistral?.audioMilliseconds == 203_000 && mistral?.inputTokens == 4 && mistral?.outputTokens == 635 && mistral?.model == "voxtral-mini-2602")
        let tokens = usage(#"{"text":"Hi","usage":{"type":"tokens","input_tokens":14,"input_token_details":{"text_tokens":0,"audio_tokens":14},"output_tokens":45,"total_tokens":59}}"#)
        #expect(tokens?.inputTokens == 14 && tokens?.outputTokens == 45 && tokens?.audioMilliseconds == 0)
        // Ollama's *_duration fields are not audio.
        #expect(usage(#"{"model":"llama3.2","done":true,"total_duration":4883583458,"prompt_eval_count":26,"eval_count":290}"#)?.audioMilliseconds == 0)
    }

    @Test("per-unit prices: exact, only when no token price applies, and never silently $0")
    func pricing() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        var seconds = Usage(model: "whisper-1")
        seconds.audioMilliseconds = 9_200
        let whisper = try #require(table.price(provider: "openai", model: "whisper-1", at: now))
        #expect(whisper.canPrice(seconds) && whisper.cost(of: seconds).nanos == 920_000)  // 9.2 s × $0.0001
        #expect(whisper.billedUnits(of: seconds) == 10)
        var speech = Usage(model: "tts-1")
        speech.characters = 1_001
        let tts = try #require(table.price(provider: "openai", model: "tts-1", at: now))
        #expect(tts.perMillionCharacters == 15_000_000_000)
        #expect(tts.cost(of: speech).nanos == 15_015_000)  // 1,001 × $15/M
        #expect(tts.worstCase(inputTokens: 500, outputTokens: 4096, characters: 1_001).nanos == 15_015_000)
        var pictures = Usage(model: "imagen-3.0-generate-001")
        pictures.images = 2
        let imagen = try #require(table.price(provider: "gemini", model: "imagen-3.0-generate-001", at: now))
        #expect(imagen.cost(of: pictures).nanos == 80_000_000 && imagen.billedUnits(of: pictures) == 2)
        #expect(imagen.worstCase(inputTokens: 100, outputTokens: 4096, images: 3).nanos == 120_000_000)
        // Token prices win when the answer counted tokens (gpt-4o-transcribe has both).
        let transcribe = try #require(table.price(provider: "openai", model: "gpt-4o-transcribe", at: now))
        var both = Usage(inputTokens: 1_000, outputTokens: 100)
        both.audioMilliseconds = 60_000
        #expect(transcribe.cost(of: both).nanos == 1_000 * 2_500 + 100 * 10_000 && transcribe.billedUnits(of: both) == 0)
        // ... and units when the model has no token prices (Mistral's Voxtral counts tokens, is billed per second).
        let voxtral = try #require(table.price(provider: "mistral", model: "voxtral-mini-latest", at: now))
        var mistral = Usage(inputTokens: 4, outputTokens: 635)
        mistral.audioMilliseconds = 203_000
        #expect(voxtral.canPrice(mistral) && voxtral.cost(of: mistral).nanos == 10_150_000)  // 203 s × $0.00005
        // A unit the model has no price for is unpriced, not $0.
        #expect(!whisper.canPrice(pictures))
        #expect(!tts.canPrice(Usage(inputTokens: 10)))
        // Every unit priced apart is one `Usage.hasUnits` knows (a unit added to one list and not the other fails).
        for rate in ModelPrice.unitRates {
            var one = Usage()
            one[keyPath: rate.counted as! WritableKeyPath<Usage, Int64>] = 1
            #expect(one.hasUnits, "\(rate.counted)")
        }
    }

    @Test("Cohere rerank search units, Cohere Embed images and Mistral OCR pages: read from the answer (however large), priced per unit")
    func searchUnitsAndPages() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        // Cohere v2 rerank: billed units are search units (the `tokens` beside them are not what is billed).
        let rerankBody = #"{"results":[{"index":3,"relevance_score":0.999071},{"index":4,"relevance_score":0.7867867},{"index":0,"relevance_score":0.32713068}],"id":"5807ee2e-0cda-445a-9ec8-864c60a06606","meta":{"api_version":{"version":"2"},"billed_units":{"search_units":3},"tokens":{"input_tokens":4212}}}"#
        for chunkSize in [1, 9, Int.max] {
            var rerank = UsageAccumulator(provider: .cohere, contentType: "application/json", requestModel: "rerank-v4.0-pro")
            feed(&rerank, rerankBody, chunkSize: chunkSize)
            let usage = try #require(rerank.usage())
            #expect(usage.searchUnits == 3 && !usage.hasTokens && usage.model == "rerank-v4.0-pro", "chunk size \(chunkSize)")
            let price = try #require(table.price(provider: "cohere", model: "rerank-v4.0-pro", at: now))
            #expect(price.canPrice(usage) && price.cost(of: usage).nanos == 7_500_000 && price.billedUnits(of: usage) == 3)  // 3 × $0.0025
        }
        // v1 (`/v1/rerank`) answers the same meta.
        var v1 = UsageAccumulator(provider: .cohere, contentType: "application/json", requestModel: "rerank-v3.5")
        feed(&v1, #"{"id":"a","results":[{"index":0,"relevance_score":0.9}],"meta":{"api_version":{"version":"1"},"billed_units":{"search_units":1}}}"#, chunkSize: 4)
        let v35 = try #require(table.price(provider: "cohere", model: "rerank-v3.5", at: now))
        #expect(v35.cost(of: try #require(v1.usage())).nanos == 2_000_000)
        // A budget reserves one search unit for a rerank: its size is known only from the answer.
        #expect(v35.worstCase(inputTokens: 5_000, outputTokens: 4_096).nanos == 2_000_000)

        // Mistral OCR: pages_processed, after the pages' markdown (here ~600 KB: past what is kept whole).
        let page = String(repeating: "# Title\\n\\nSome extracted text. ", count: 4_000)
        let pages = (0..<5).map { #"{"index":\#($0),"markdown":"\#(page)","images":[],"dimensions":{"dpi":200,"height":2200,"width":1700}}"# }
        let ocrBody = #"{"pages":[\#(pages.joined(separator: ","))],"model":"mistral-ocr-2512","document_annotation":null,"usage_info":{"pages_processed":12,"doc_size_bytes":3002783}}"#
        #expect(ocrBody.utf8.count > UsageAccumulator.documentLimit)
        for chunkSize in [4096, Int.max] {
            var ocr = UsageAccumulator(provider: .mistral, contentType: "application/json", requestModel: "mistral-ocr-latest")
            feed(&ocr, ocrBody, chunkSize: chunkSize)
            let usage = try #require(ocr.usage())
            #expect(usage.pages == 12 && usage.model == "mistral-ocr-2512", "chunk size \(chunkSize)")
            let price = try #require(table.price(provider: "mistral", model: "mistral-ocr-2512", at: now))
            #expect(price.cost(of: usage).nanos == 24_000_000 && price.billedUnits(of: usage) == 12)  // 12 × $0.002
        }
        // A small OCR answer is read whole.
        var small = UsageAccumulator(provider: .mistral, contentType: "application/json", requestModel: "mistral-ocr-latest")
        feed(&small, #"{"pages":[{"index":0,"markdown":"Hi","images":[]}],"model":"mistral-ocr-2505","usage_info":{"pages_processed":1,"doc_size_bytes":1200}}"#, chunkSize: 7)
        let ocr2505 = try #require(table.price(provider: "mistral", model: "mistral-ocr-2505", at: now))
        #expect(ocr2505.cost(of: try #require(small.usage())).nanos == 1_000_000)
        // With document_annotation_format: the annotated pages at their own rate besides the pages processed
        // (mistral-ocr-2512: 3 × $0.002 + 2 × $0.003), as LiteLLM bills them; units are the pages processed.
        for chunkSize in [5, Int.max] {
            var annotated = UsageAccumulator(provider: .mistral, contentType: "application/json", requestModel: "mistral-ocr-latest")
            feed(&annotated, #"{"pages":[{"index":0,"markdown":"Invoice","images":[]}],"model":"mistral-ocr-2512","document_annotation":"{\"total\": \"12.00\"}","usage_info":{"pages_processed":3,"pages_processed_annotation":2,"doc_size_bytes":48213}}"#, chunkSize: chunkSize)
            let usage = try #require(annotated.usage())
            #expect(usage.pages == 3 && usage.annotatedPages == 2, "chunk size \(chunkSize)")
            let price = try #require(table.price(provider: "mistral", model: "mistral-ocr-2512", at: now))
            #expect(price.cost(of: usage).nanos == 12_000_000 && price.billedUnits(of: usage) == 3)
            // A price without an annotation rate cannot price annotated pages: unpriced, never billed as plain pages.
            var pagesOnly = price
            pagesOnly.perAnnotatedPage = nil
            #expect(!pagesOnly.canPrice(usage))
        }
        // Cohere Embed of an image: billed_units.images, priced per image embedded (embed-english-v3.0: $0.0001);
        // a model priced by image tokens (embed-v4.0) cannot price an image count alone: unpriced, never $0.
        let imageEmbed = #"{"id":"e1","embeddings":{"float":[[0.125,-0.375]]},"texts":[],"images":[{"width":400,"height":400,"format":"image/png","bit_depth":24}],"meta":{"api_version":{"version":"2"},"billed_units":{"images":2}},"response_type":"embeddings_by_type"}"#
        for chunkSize in [3, Int.max] {
            var embed = UsageAccumulator(provider: .cohere, contentType: "application/json", requestModel: "embed-english-v3.0")
            feed(&embed, imageEmbed, chunkSize: chunkSize)
            let usage = try #require(embed.usage())
            #expect(usage.images == 2 && !usage.hasTokens, "chunk size \(chunkSize)")
            let v3 = try #require(table.price(provider: "cohere", model: "embed-english-v3.0", at: now))
            #expect(v3.canPrice(usage) && v3.cost(of: usage).nanos == 200_000 && v3.billedUnits(of: usage) == 2)
            let v4 = try #require(table.price(provider: "cohere", model: "embed-v4.0", at: now))
            #expect(!v4.canPrice(usage))
        }
        // Embed v4 bills image tokens: part of the input, at the image input rate (10 × $0.12/M + 1,000 × $0.47/M).
        var v4Embed = UsageAccumulator(provider: .cohere, contentType: "application/json", requestModel: "embed-v4.0")
        feed(&v4Embed, #"{"id":"e3","embeddings":{"float":[[0.5]]},"texts":[],"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":10,"image_tokens":1000}}}"#, chunkSize: 6)
        let v4Usage = try #require(v4Embed.usage())
        #expect(v4Usage.inputTokens == 1_010 && v4Usage.imageInputTokens == 1_000)
        #expect(try #require(table.price(provider: "cohere", model: "embed-v4.0", at: now)).cost(of: v4Usage).nanos == 471_200)
        // A text embed is billed by its input tokens as before.
        var textEmbed = UsageAccumulator(provider: .cohere, contentType: "application/json", requestModel: "embed-english-v3.0")
        feed(&textEmbed, #"{"id":"e2","embeddings":{"float":[[0.5]]},"texts":["hi"],"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":1000}}}"#, chunkSize: 11)
        let textUsage = try #require(textEmbed.usage())
        #expect(textUsage.inputTokens == 1_000 && textUsage.images == 0)
        #expect(try #require(table.price(provider: "cohere", model: "embed-english-v3.0", at: now)).cost(of: textUsage).nanos == 100_000)
        // A rerank answer to a model without a search-unit price is unpriced, never $0.
        var searches = Usage()
        searches.searchUnits = 2
        let chat = try #require(table.price(provider: "cohere", model: "command-a-03-2025", at: now))
        #expect(!chat.canPrice(searches) && !ocr2505.canPrice(searches))
    }

    @Test("streamed speech (stream_format sse): speech.audio.done's output tokens are audio tokens, priced at the audio rate")
    func streamedSpeech() throws {
        let stream = """
        data: {"type":"speech.audio.delta","audio":"SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA"}

        data: {"type":"speech.audio.delta","audio":"//uQxAAAAAAAAAAAAAAAAAAAAAAAWGluZwAAAA8AAAACAAACcQCA"}

        data: {"type":"speech.audio.done","usage":{"input_tokens":14,"output_tokens":1052,"total_tokens":1066}}


        """
        let inspection = RequestInspector.inspect(body: Array(#"{"model":"gpt-4o-mini-tts","input":"Hello there, friend!","voice":"coral","stream_format":"sse"}"#.utf8),
                                                  path: "/v1/audio/speech", kind: .openai, injectStreamUsage: true)
        #expect(inspection.synthesizesSpeech && inspection.characters == 20 && inspection.rewrittenBody == nil)
        for chunkSize in [1, 9, Int.max] {
            var accumulator = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: inspection.model,
                                               requestCharacters: inspection.characters, synthesizesSpeech: inspection.synthesizesSpeech)
            feed(&accumulator, stream, chunkSize: chunkSize)
            let usage = try #require(accumulator.usage())
            #expect(usage.inputTokens == 14 && usage.outputTokens == 1_052 && usage.audioOutputTokens == 1_052, "chunk size \(chunkSize)")
            // gpt-4o-mini-tts: text in $0.60, audio out $12 per M: 14 × 0.6 + 1,052 × 12 = 12,632.4 micro-dollars.
            let price = try #require(try PriceTable.builtIn().price(provider: "openai", model: "gpt-4o-mini-tts", at: .now()))
            #expect(price.cost(of: usage).nanos == 14 * 600 + 1_052 * 12_000)
        }
        // Not a speech request: the same output stays text output.
        var chat = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: "gpt-4o-mini-tts")
        feed(&chat, stream, chunkSize: 64)
        #expect(chat.usage()?.audioOutputTokens == 0)
    }

    @Test("web searches: Responses API web_search_call items counted in the answer, priced per search on top of the tokens")
    func webSearches() throws {
        let body = #"{"id":"resp_5","object":"response","model":"gpt-5-2025-08-07","tools":[{"type":"web_search"}],"output":[{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"\"web_search_call\" weather"}},{"id":"ws_2","type" : "web_search_call" ,"status":"completed"},{"type":"message","content":[{"type":"output_text","text":"Sunny."}]}],"usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":0},"output_tokens":400,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5400}}"#
        for chunkSize in [1, 9, Int.max] {
            var accumulator = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-5", countsWebSearches: true)
            feed(&accumulator, body, chunkSize: chunkSize)
            #expect(accumulator.usage()?.webSearches == 2, "chunk size \(chunkSize)")
        }
        let table = try PriceTable.builtIn()
        let gpt5 = try #require(table.price(provider: "openai", model: "gpt-5", at: .now()))
        let usage = Usage(inputTokens: 5000, outputTokens: 400, webSearches: 2)
        #expect(gpt5.cost(of: usage).nanos == 5000 * 1_250 + 400 * 10_000 + 2 * 10_000_000)  // $0.02625
        let sonnet = try #require(table.price(provider: "anthropic", model: "claude-sonnet-4-5", at: .now()))
        #expect(sonnet.perWebSearch == 10_000_000)
        #expect(table.price(provider: "anthropic", model: "claude-haiku-4-5-20251001", at: .now())?.perWebSearch == 10_000_000)
    }

    @Test("the model field of a multipart upload, before or after the file, in any chunking")
    func multipartModel() {
        let boundary = "----b"
        func body(fileFirst: Bool) -> String {
            let file = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\nname=\"mode\u{1}binary\r\n"
            let model = "--\(boundary)\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-4o-transcribe\r\n"
            return (fileFirst ? file + model : model + file) + "--\(boundary)--\r\n"
        }
        for fileFirst in [true, false] {
            for chunkSize in [1, 5, 1000] {
                var scanner = MultipartFieldScanner(field: "model", contentType: "multipart/form-data; boundary=\(boundary)")
                let bytes = Array(body(fileFirst: fileFirst).utf8)
                for start in stride(from: 0, to: bytes.count, by: chunkSize) {
                    scanner?.consume(bytes[start..<min(start + chunkSize, bytes.count)])
                }
                #expect(scanner?.value == "gpt-4o-transcribe", "file first: \(fileFirst), chunk size \(chunkSize)")
            }
        }
        #expect(MultipartFieldScanner(field: "model", contentType: "application/json") == nil)
        #expect(MultipartFieldScanner.value(of: "model", in: Array("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--".utf8), contentType: "multipart/form-data; boundary=b") == nil)
    }
}
