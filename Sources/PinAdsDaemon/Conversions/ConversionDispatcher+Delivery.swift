import Foundation
import PinAdsStore
import PinterestAPI

// One batch's way to Pinterest and what is stored of its answer.

extension ConversionDispatcher {
    /// Sends one batch through its ad account's session and stores what became of each event.
    func deliver(_ batch: ConversionBatch) async {
        let lane = batch.lane
        do {
            let session = try await tokens.session(adAccountID: lane.adAccountID)
            switch try await session.sendConversionsWithConversionToken(batch.bodies, test: lane.test) {
            case .sent(let response):
                try await stored(response, of: batch)
                return
            case .refused(let message):
                lastError = "the conversion token of ad account \(lane.adAccountID) was refused (\(message)); using the OAuth token"
            case .noConversionToken:
                break
            }
            try await stored(try await session.sendConversions(batch.bodies, test: lane.test), of: batch)
        } catch let error as PinterestError where Self.refusesTheRequest(error) {
            // The whole request was refused (its body, the account): not retried as is.
            lastError = error.description
            laneRecords[lane, default: ConversionLaneRecord()].refused(batch.ids.count, message: error.description, at: clock.now())
            logger.error("Pinterest refused a conversion batch", metadata: ["events": "\(batch.ids.count)", "error": "\(error)"])
            try? await store.completeConversions(
                ids: batch.ids, outcomes: Array(repeating: (false, error.description), count: batch.ids.count), now: clock.now())
        } catch is CancellationError {
            try? await store.requeueConversions(ids: batch.ids, retryAt: clock.now(), message: nil, countAttempt: false)
        } catch {
            await retryLater(batch, after: error)
        }
    }

    /// Pinterest answered: each event sent or refused, stored in one step.
    private func stored(_ answer: ConversionResponse, of batch: ConversionBatch) async throws {
        let now = clock.now()
        let outcomes = answer.events.map { status -> (sent: Bool, message: String?) in
            status.status == "failed" ? (false, status.errorMessage ?? "failed") : (true, status.warningMessage)
        }
        try await store.completeConversions(ids: batch.ids, outcomes: outcomes, now: now)
        throughput.answered(acceptedAt: batch.acceptedAt, at: now)
        laneRecords[batch.lane, default: ConversionLaneRecord()].delivered(at: now)
        let failures = outcomes.filter { !$0.sent }.count
        if failures > 0 {
            let message = outcomes.first { !$0.sent }?.message ?? ""
            lastError = "\(failures) of \(batch.ids.count) events refused by Pinterest: \(message)"
            laneRecords[batch.lane, default: ConversionLaneRecord()].refused(failures, message: message, at: now)
        }
    }

    /// Transient (5xx, timeout, connection), or the connection needs a reconnect: the events
    /// stay queued, retried after a wait; other batches go on meanwhile.
    private func retryLater(_ batch: ConversionBatch, after error: any Error) async {
        let unavailable = error as? ConnectionUnavailable
        let delay = lanes.retryDelay(after: unavailable == nil ? .transient : .connectionUnavailable, attempts: batch.attempts.max() ?? 0)
        lastError = "\(error)"
        laneRecords[batch.lane, default: ConversionLaneRecord()].failed(
            "\(error)", blockedByConnection: unavailable?.connectionID, oldestAccepted: batch.acceptedAt.min(), at: clock.now())
        logger.warning(
            "a conversion batch did not get through; retrying", metadata: ["events": "\(batch.ids.count)", "in": "\(delay)s", "error": "\(error)"])
        do {
            try await store.requeueConversions(
                ids: batch.ids, retryAt: clock.now().addingTimeInterval(delay), message: "\(error)", countAttempt: unavailable == nil)
        } catch {
            // The store cannot write (a full disk, say): the events are still queued in it,
            // so once this batch leaves the flight they would go again at once, and again.
            // It stays in flight for the delay instead, so Pinterest is not hammered.
            logger.error("could not store a conversion batch's outcome; holding it", metadata: ["in": "\(delay)s", "error": "\(error)"])
            try? await clock.sleep(until: clock.now().addingTimeInterval(delay))
        }
    }

    /// A refusal of the request itself (4xx other than 401/429): sending it again cannot help.
    /// Anything else (a garbled answer, a 401 after the refresh) goes back to the queue.
    static func refusesTheRequest(_ error: PinterestError) -> Bool {
        switch error {
        case .rejected, .invalidRequest: return true
        case .unauthorized(let status, _, _, _): return status == 403
        default: return false
        }
    }
}
