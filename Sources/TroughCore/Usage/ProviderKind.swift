/// The provider dialect of a service: decides how request and response bodies are read.
public enum ProviderKind: String, Codable, Sendable, CaseIterable {
    case openai, anthropic, gemini, mistral, cohere
    /// Groq, Together, Ollama, vLLM… (OpenAI chat completions, plus Ollama's native `/api/chat` and `/api/generate`).
    case openaiCompatible = "openai_compatible"
    /// Any other HTTP API: no token usage.
    case generic
}
