/// Which connection serves an ad account that several connections reach (two Pinterest users
/// who share it through Business Access). Pure and deterministic:
/// 1. an `active` connection before one that needs a reconnect;
/// 2. then the default connection;
/// 3. then the connection of the account's owner (`owner.id` is its Pinterest user);
/// 4. then the oldest (lowest id).
enum AdAccountServing {
    struct Candidate: Sendable, Equatable {
        var connectionID: Int64
        var isActive: Bool
        var isDefault: Bool
        var ownsAccount: Bool
    }

    static func choose(_ candidates: [Candidate]) -> Int64? {
        candidates.min { a, b in
            if a.isActive != b.isActive { return a.isActive }
            if a.isDefault != b.isDefault { return a.isDefault }
            if a.ownsAccount != b.ownsAccount { return a.ownsAccount }
            return a.connectionID < b.connectionID
        }?.connectionID
    }
}
