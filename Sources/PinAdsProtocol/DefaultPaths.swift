#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the daemon and its clients look for the socket and the state, from the environment,
/// so both sides agree without configuration.
public enum DefaultPaths {
    /// `$PINADS_SOCKET`, else `$XDG_RUNTIME_DIR/pinads/pinadsd.sock`, else `/tmp/pinads-$UID/pinadsd.sock`.
    public static func socketPath(environment: [String: String]) -> String {
        if let explicit = environment["PINADS_SOCKET"], !explicit.isEmpty { return explicit }
        return runtimeDirectory(environment: environment) + "/pinadsd.sock"
    }

    /// The folder that holds the socket: `$XDG_RUNTIME_DIR/pinads`, else `/tmp/pinads-$UID`.
    public static func runtimeDirectory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime + "/pinads"
        }
        return "/tmp/pinads-\(getuid())"
    }

    /// `$PINADS_STATE_DIR`, else `$XDG_STATE_HOME/pinads`, else `~/.local/state/pinads`.
    public static func stateDirectory(environment: [String: String]) -> String {
        if let explicit = environment["PINADS_STATE_DIR"], !explicit.isEmpty { return explicit }
        if let stateHome = environment["XDG_STATE_HOME"], stateHome.hasPrefix("/") {
            return stateHome + "/pinads"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeFromPasswd() ?? "/tmp"
        return home + "/.local/state/pinads"
    }

    private static func homeFromPasswd() -> String? {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }
}
