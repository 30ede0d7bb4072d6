import ServiceLifecycle

/// Runs once at start, beside the server: connections made before their Pinterest user was kept
/// learn it, and those whose expiry times are unknown refresh to learn them
/// (``TokenManager/reviewConnections()``). Then it waits for the shutdown, as a service must.
struct ConnectionReview: Service, CustomStringConvertible {
    var description: String { "ConnectionReview" }
    let tokens: TokenManager

    func run() async throws {
        let review = Task { await tokens.reviewConnections() }
        await withGracefulShutdownHandler {
            await review.value
        } onGracefulShutdown: {
            review.cancel()
        }
        try? await gracefulShutdown()
    }
}
