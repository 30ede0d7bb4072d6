import Foundation
import PinAdsStore
import ServiceLifecycle

// The dispatch loop: one pump at a time reads the lanes' backlogs, `ConversionLanes` decides,
// and each batch taken is sent by a child of the loop's task group.

extension ConversionDispatcher {
    public func run() async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        for lane in try await store.conversionLanes() { lanes.gained(lane) }
        continuation.yield()
        // Batches in flight at a stop finish (or are cut off by the shutdown bound, their events
        // still queued in the store) before the group, and so `run`, returns.
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await _ in signals {
                    for (flight, batch) in await pump() {
                        group.addTask {
                            await self.deliver(batch)
                            await self.landed(flight)
                        }
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            stopping = true
            timer?.cancel()
        }
    }

    /// Takes every batch that may leave now (to send), and sets the timer for the next pass
    /// that something will leave at.
    private func pump() async -> [(ConversionLanes.Flight, ConversionBatch)] {
        guard !stopping else { return [] }
        let now = clock.now()
        await pruneIfDue(now)
        var taken: [(ConversionLanes.Flight, ConversionBatch)] = []
        var next: Date?
        for look in lanes.looks() {
            let backlog: LaneBacklog
            do {
                backlog = try await store.conversionBacklog(
                    lane: look.lane, now: now, limit: configuration.batchSize, excluding: lanes.excluded(from: look.lane))
            } catch {
                logger.error("could not read the conversions outbox; trying again in 1 s", metadata: ["error": "\(error)"])
                wake(at: now.addingTimeInterval(1))
                return taken
            }
            let (step, again) = lanes.read(backlog, look: look, now: now)
            if let again { next = min(next ?? again, again) }
            guard step == .take else { continue }
            do {
                guard
                    let batch = try await store.claimConversions(
                        lane: look.lane, limit: configuration.batchSize, now: now, excluding: lanes.excluded(from: look.lane))
                else { continue }
                let (flight, lookAgain) = lanes.took(batch)
                taken.append((flight, batch))
                // More may be due behind a full batch: another pass when this one ends.
                if lookAgain { wake?.yield() }
            } catch {
                logger.error("could not take a conversion batch", metadata: ["error": "\(error)"])
            }
        }
        if let next { wake(at: next) }
        return taken
    }

    /// After the batch's outcome is stored (or it went back to the queue): its events may be
    /// taken again only from here on.
    private func landed(_ flight: ConversionLanes.Flight) {
        lanes.landed(flight)
        wake?.yield()
    }

    private func wake(at date: Date) {
        guard let date = lanes.wake(at: date) else { return }
        timer?.cancel()
        let clock = self.clock
        let wake = self.wake
        timer = Task {
            do {
                try await clock.sleep(until: date)
                self.alarmRang()
                wake?.yield()
            } catch {}
        }
    }

    private func alarmRang() {
        timer = nil
        lanes.alarmRang()
    }

    private func pruneIfDue(_ now: Date) async {
        guard now.timeIntervalSince(lastPrune) > 600 else { return }
        lastPrune = now
        do {
            let pruned = try await store.pruneConversions(before: now.addingTimeInterval(-configuration.dedupeWindow))
            if pruned > 0 { logger.info("pruned answered conversion events past the dedup window", metadata: ["events": "\(pruned)"]) }
        } catch {
            logger.error("could not prune the conversions outbox", metadata: ["error": "\(error)"])
        }
    }
}
