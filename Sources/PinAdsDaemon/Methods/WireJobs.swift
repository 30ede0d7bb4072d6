import PinAdsProtocol
import PinAdsStore

// The wire's job types from the store's records: the edge's one translation of jobs.

extension Job {
    init(_ record: JobRecord) {
        self.init(
            id: record.id, kind: record.kind, state: JobState(record.state), attempts: record.attempts,
            maxAttempts: record.maxAttempts, payload: record.payload, result: record.result, lastError: record.lastError,
            progress: record.progress.map(JobProgress.init), nextRunAt: record.nextRunAt, cancelRequested: record.cancelRequested,
            createdAt: record.createdAt, updatedAt: record.updatedAt, startedAt: record.startedAt, finishedAt: record.finishedAt,
            blockedOn: record.blockedOn)
    }
}

extension JobState {
    init(_ state: JobRecord.State) {
        switch state {
        case .queued: self = .queued
        case .running: self = .running
        case .waiting: self = .waiting
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }
}

extension JobRecord.State {
    init(_ state: JobState) {
        switch state {
        case .queued: self = .queued
        case .running: self = .running
        case .waiting: self = .waiting
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }
}

extension JobProgress {
    init(_ progress: JobRecord.Progress) {
        self.init(done: progress.done, total: progress.total, message: progress.message)
    }
}
