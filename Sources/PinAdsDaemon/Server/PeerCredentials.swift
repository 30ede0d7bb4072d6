#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The process at the other end of a Unix socket, as the kernel reports it (SO_PEERCRED).
/// Layout-compatible with `struct ucred`, which Glibc hides behind `_GNU_SOURCE`.
struct PeerCredentials: Sendable, Equatable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Why a peer's credentials could not be read.
struct PeerCredentialsUnavailable: Error {}

extension Channel {
    /// Reads SO_PEERCRED of an accepted Unix socket connection.
    func peerCredentials() -> EventLoopFuture<PeerCredentials> {
        #if os(Linux)
        guard let provider = self as? SocketOptionProvider else {
            return eventLoop.makeFailedFuture(PeerCredentialsUnavailable())
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        #else
        return eventLoop.makeFailedFuture(PeerCredentialsUnavailable())
        #endif
    }
}
