import Foundation
import PinAdsStore

/// An activation as it is reported: the stored record settled against its audience's version
/// (up to date is SYNCED, never ERROR), with the changes Pinterest does not have yet.
public struct ActivationView: Sendable, Equatable {
    public var record: ActivationRecord
    /// Member changes after the version Pinterest has.
    public var pendingChanges: Int
}

/// An audience with everything synced from it: its activations and its actalikes.
public struct AudienceSummary: Sendable, Equatable {
    public var audience: AudienceRecord
    public var activations: [ActivationView]
    public var actalikes: [ActalikeRecord]
}

/// A sync queued for an activation (or the one already queued that it joined).
public struct QueuedActivationSync: Sendable, Equatable {
    public var jobID: Int64
    public var activationID: Int64
    public var audienceID: Int64
    public var adAccountID: String
}

/// What activating an audience on an ad account did.
public struct ActivationOutcome: Sendable, Equatable {
    public var activation: ActivationView
    /// False when the activation existed (it is active again, on the same list).
    public var created: Bool
    /// The sync it queued; nil when no queue is attached.
    public var sync: QueuedActivationSync?
}

/// An actalike (lookalike) audience to seed from an audience's activation, as asked.
public struct ActalikeOrder: Sendable, Equatable {
    public var audienceID: Int64
    /// The activation's ad account; the only or the default one when nil.
    public var adAccountID: String?
    /// As given; any case (`gb` is GB).
    public var country: String
    public var percentage: Int
    /// Chosen from the audience's name, country and percentage when nil.
    public var name: String?

    public init(audienceID: Int64, adAccountID: String? = nil, country: String, percentage: Int, name: String? = nil) {
        self.audienceID = audienceID
        self.adAccountID = adAccountID
        self.country = country
        self.percentage = percentage
        self.name = name
    }
}

/// An actalike, and whether this order made it (false: it existed already).
public struct ActalikeOutcome: Sendable, Equatable {
    public var actalike: ActalikeRecord
    public var created: Bool
}
