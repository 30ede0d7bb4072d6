import Foundation
import NIOConcurrencyHelpers
import PinAdsJSON
import PinAdsStore

/// The store failures requests met, so health can report a failing disk that the file system
/// does not show (a full or read-only directory is asked of the file system directly).
public final class StoreTroubleLog: Sendable {
    private let last = NIOLockedValueBox<(at: Date, trouble: StoreUnavailable)?>(nil)

    public init() {}

    public func record(_ trouble: StoreUnavailable, at now: Date) {
        last.withLockedValue { $0 = (now, trouble) }
    }

    /// The last I/O failure, if it came within `window` of `now`.
    public func recentIOFailure(now: Date, within window: TimeInterval) -> StoreUnavailable? {
        last.withLockedValue { entry in
            guard let entry, entry.trouble.problem == .io, now.timeIntervalSince(entry.at) <= window else { return nil }
            return entry.trouble
        }
    }
}

/// Gathers the facts health decides on, each cheaply (small tables, index seeks, memory), and
/// runs the decision. Shared by `system.health` and the systemd status.
public struct HealthMonitor: Sendable {
    let store: Store
    let tokens: TokenManager
    let conversions: ConversionDispatcher
    let clock: any WallClock
    let storeTrouble: StoreTroubleLog
    var decision = HealthDecision()
    /// How long an I/O failure of the store keeps health `unavailable`.
    var ioFailureWindow: TimeInterval = 60

    public init(store: Store, tokens: TokenManager, conversions: ConversionDispatcher, clock: any WallClock, storeTrouble: StoreTroubleLog) {
        self.store = store
        self.tokens = tokens
        self.conversions = conversions
        self.clock = clock
        self.storeTrouble = storeTrouble
    }

    /// The facts now. A read that fails makes the store unreadable; what memory holds is still
    /// reported.
    public func facts(storeHealth: StoreHealthCheck? = nil) async -> HealthFacts {
        let now = clock.now()
        let read: StoreHealthCheck
        if let storeHealth { read = storeHealth } else { read = await store.health() }
        var facts = HealthFacts(
            store: HealthFacts.StoreFacts(
                path: store.path, readError: read.status == "ok" ? nil : (read.error ?? "it cannot be read"),
                unavailable: store.filesystemUnavailability() ?? storeTrouble.recentIOFailure(now: now, within: ioFailureWindow)))
        func unreadable(_ error: any Error) {
            if facts.store.readError == nil { facts.store.readError = String(describing: error) }
        }
        do { facts.connections = try await tokens.healthFacts() } catch { unreadable(error) }
        do { facts.conversionLanes = try await conversions.healthFacts() } catch { unreadable(error) }
        do {
            facts.failedActivations = try await store.failedActivations().map {
                HealthFacts.FailedActivation(id: $0.id, audienceID: $0.audienceID, adAccountID: $0.adAccountID, errorMessage: $0.errorMessage, errorAt: $0.errorAt)
            }
        } catch { unreadable(error) }
        return facts
    }

    public func report(storeHealth: StoreHealthCheck? = nil) async -> HealthReport {
        let facts = await facts(storeHealth: storeHealth)
        return decision.evaluate(facts, now: clock.now())
    }
}
