import PinAdsProtocol
import PinAdsStore
import PinterestAPI

// The one translation of the daemon's errors into the wire's: the actors throw what went wrong
// in their own words, and only here does it become a code, a message and details.

extension ResponseError {
    /// The wire error for a domain error; nil for an error no client should see the detail of
    /// (the caller logs it and answers INTERNAL).
    init?(translating error: any Error, method: String) {
        switch error {
        case let error as ResponseError:
            self = error
        case let error as DecodingError:
            self = error.responseError
        case let error as InvalidInput:
            self = .invalidArgument(field: error.field, reason: error.reason)
        case let error as UnknownObject:
            self = .notFound(error.kind, id: error.id)
        case let error as ConnectionError:
            self = ResponseError(error)
        case let error as PinterestError:
            self = ResponseError(pinterest: error)
        case let error as SchedulerError:
            self = ResponseError(error)
        case let error as CampaignError:
            self = ResponseError(error)
        case let error as AudienceError:
            self = ResponseError(error)
        case let error as RefreshLost:
            // Only a reconnect helps: the refresh token in hand is spent.
            self = .failedPrecondition(error.description)
        case let error as ConnectionUnavailable:
            self = ResponseError(code: .unauthenticated, message: error.description, details: ["connection_id": .int(error.connectionID)])
        case is CancellationError:
            self = ResponseError(code: .cancelled, message: "\(method) was cancelled")
        default:
            return nil
        }
    }

    /// NOT_FOUND for an unknown task, FAILED_PRECONDITION when it has no handler, INTERNAL otherwise.
    init(_ error: SchedulerError) {
        switch error {
        case .unknownTask(let name, _):
            self = ResponseError(code: .notFound, message: error.description, details: ["task": .string(name)])
        case .noHandler(let task, let jobKind):
            self = ResponseError(
                code: .failedPrecondition, message: error.description, details: ["task": .string(task), "job_kind": .string(jobKind)])
        case .duplicateTask, .invalidTaskName, .alreadyStarted:
            self = .internal(error.description)
        }
    }

    /// A Pinterest failure, with Pinterest's code and request id in details.
    init(pinterest error: PinterestError) {
        var details: [String: JSONValue] = [:]
        if let rid = error.requestID { details["pinterest_request_id"] = .string(rid) }
        if let code = error.pinterestCode { details["pinterest_code"] = .int(Int64(code)) }
        let code: ErrorCode
        switch error {
        case .unauthorized: code = .unauthenticated
        case .rateLimited: code = .resourceExhausted
        case .rejected, .itemsFailed, .invalidRequest: code = .failedPrecondition
        case .transient, .malformedResponse: code = .unavailable
        }
        self = ResponseError(code: code, message: error.description, details: details.isEmpty ? nil : .object(details))
    }
}
