"""An OpenAI-style upstream over TLS, for the proxy's https path.

    python3 tls_upstream.py CERT.pem KEY.pem

Prints the port it listens on (127.0.0.1, any free port), then serves until killed:
POST /v1/chat/completions answers a chat completion with usage (10 prompt, 5 completion tokens), streamed as
server-sent events when the request says "stream": true. Each answer's `X-Seen-SNI` header names the server
name the client sent in its TLS hello, and `X-Seen-Authorization` the credential it sent.
"""
import http.server
import json
import signal
import socketserver
import ssl
import sys

seen = {"sni": ""}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        if request.get("stream"):
            chunks = [
                {"id": "chatcmpl-tls", "object": "chat.completion.chunk", "model": "gpt-4o-2024-08-06",
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}]},
                {"id": "chatcmpl-tls", "object": "chat.completion.chunk", "model": "gpt-4o-2024-08-06",
                 "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            ]
            if (request.get("stream_options") or {}).get("include_usage"):
                chunks.append({"id": "chatcmpl-tls", "object": "chat.completion.chunk", "model": "gpt-4o-2024-08-06",
                               "choices": [], "usage": usage})
            body = b"".join(b"data: " + json.dumps(chunk).encode() + b"\n\n" for chunk in chunks) + b"data: [DONE]\n\n"
            content_type = "text/event-stream"
        else:
            body = json.dumps({"id": "chatcmpl-tls", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
                               "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
                               "usage": usage}).encode()
            content_type = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Seen-SNI", seen["sni"])
        self.send_header("X-Seen-Authorization", self.headers.get("Authorization", ""))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    # A parent that ignores SIGTERM passes that on; this server should stop when told to.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cert, key = sys.argv[1], sys.argv[2]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def remember_sni(connection, server_name, _context):
        seen["sni"] = server_name or ""

    context.sni_callback = remember_sni
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
