// NIORelay: a SwiftNIO TCP relay, the ceiling of any NIO proxy on this machine.
//
// Each client connection gets one upstream connection on its own event loop, and bytes are copied both ways as
// they arrive: no HTTP parsing at all (keep-alive works because the connections are paired one to one). A proxy
// that reads HTTP, authenticates, prices and records cannot cost less than this per request.

import Dispatch
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

func envPort(_ name: String, default value: Int) -> Int {
    guard let raw = getenv(name), let port = Int(String(cString: raw)), (1...65535).contains(port) else { return value }
    return port
}

let listenPort = envPort("RELAY_PORT", default: 18096)
let upstreamPort = envPort("RELAY_UPSTREAM_PORT", default: 18080)
/// Busy work per read, in nanoseconds (RELAY_SPIN_NS): shows how a proxy's own work per request also raises its
/// kernel time (peers left idle are woken for every write).
let spinNanos: UInt64 = getenv("RELAY_SPIN_NS").flatMap { UInt64(String(cString: $0)) } ?? 0

func spin() {
    guard spinNanos > 0 else { return }
    let until = DispatchTime.now().uptimeNanoseconds + spinNanos
    while DispatchTime.now().uptimeNanoseconds < until {}
}

/// Copies what one channel reads to its peer, flushing once per read batch.
final class Pipe: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var peer: (any Channel)?
    private var wrote = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        spin()
        peer?.write(unwrapInboundIn(data), promise: nil)
        wrote = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if wrote, let peer {
            wrote = false
            peer.flush()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        peer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The client side: connects upstream on its own loop, then starts reading.
final class ClientSide: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        let client = context.channel
        let clientPipe = Pipe()
        let upstreamPipe = Pipe()
        let loop = context.eventLoop
        let clientPipeBox = NIOLoopBound(clientPipe, eventLoop: loop)
        let upstreamPipeBox = NIOLoopBound(upstreamPipe, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(ChannelOptions.socket(SocketOptionLevel(IPPROTO_TCP), TCP_NODELAY), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(upstreamPipeBox.value) }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    upstreamPipeBox.value.peer = client
                    clientPipeBox.value.peer = upstream
                    try? client.pipeline.syncOperations.addHandler(clientPipeBox.value)
                    _ = client.setOption(ChannelOptions.autoRead, value: true)
                    client.read()
                case .failure:
                    client.close(promise: nil)
                }
            }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(ChannelOptions.backlog, value: 1024)
    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(ChannelOptions.socket(SocketOptionLevel(IPPROTO_TCP), TCP_NODELAY), value: 1)
    .childChannelOption(ChannelOptions.autoRead, value: false)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ClientSide()) }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .wait()
print("NIORelay on 127.0.0.1:\(listenPort) -> 127.0.0.1:\(upstreamPort), \(System.coreCount) event loops")
try server.closeFuture.wait()
