/// What the three bulk updates (`campaigns/update`, `ad_groups/update`, `ads/update`, NOTES §13)
/// share: PATCH semantics over the stored object, and the status changes that cascade down.
///
/// An update item is merged into the stored object's create-time fields (a field omitted stays
/// as it is, a field sent replaces the stored one, `null` clears a nullable field), and the
/// merged object is checked with the very rules of the create, so an update can never reach a
/// state that a create would refuse.
extension SandboxState {
    /// The stored answer of an object as the fields of its create request: the keys only
    /// responses have dropped, and nulls dropped (absent and null mean the same to a create).
    static func requestView(_ json: JSONObject, dropping responseOnly: Set<String>) -> JSONObject {
        var view = JSONObject()
        for entry in json.pairs where !responseOnly.contains(entry.key) && !entry.value.isNull {
            view[entry.key] = entry.value
        }
        return view
    }

    /// The failure of an item whose `id` names nothing the ad account has.
    static func unknownID(_ id: String, _ what: String, account: String) -> BulkItemFailure {
        BulkItemFailure(["id \(id) is not \(what) of ad account \(account)."], code: 2)
    }

    /// The failure of an item that would change an ARCHIVED object: archiving is final (NOTES §13.2).
    /// `what` comes with its article ("a campaign").
    static func archived(_ what: String, _ id: String) -> BulkItemFailure {
        let noun = what.split(separator: " ", maxSplits: 1).last.map(String.init) ?? what
        return BulkItemFailure(["id \(id) is an ARCHIVED \(noun): archived \(noun)s cannot be changed."])
    }

    /// The ad groups of a campaign that are not ARCHIVED (an archived object never changes again).
    func liveAdGroups(of campaignID: String, account: String) -> [String] {
        ids(.adGroup, account: account).filter {
            guard let adGroup = adGroups[$0] else { return false }
            return adGroup.campaignID == campaignID && adGroup.status != "ARCHIVED"
        }
    }

    /// Sets fields of a stored ad group (and its typed copies) and bumps its `updated_time`.
    mutating func changeAdGroup(_ id: String, at time: Int64, _ changes: [(key: String, value: JSONValue)]) {
        guard var adGroup = adGroups[id] else { return }
        for change in changes {
            adGroup.json[change.key] = change.value
            if change.key == "status", let status = change.value.stringValue { adGroup.status = status }
        }
        adGroup.json["updated_time"] = .int(time)
        adGroups[id] = adGroup
    }

    /// Archiving a campaign archives its ad groups and their ads (NOTES §13.2).
    mutating func archiveChildren(ofCampaign campaignID: String, account: String, at time: Int64) {
        for id in liveAdGroups(of: campaignID, account: account) {
            changeAdGroup(id, at: time, [("status", "ARCHIVED")])
            archiveAds(ofAdGroup: id, account: account, at: time)
        }
    }

    /// Archiving an ad group archives its ads, not its campaign (NOTES §13.2).
    mutating func archiveAds(ofAdGroup adGroupID: String, account: String, at time: Int64) {
        for id in ids(.ad, account: account) {
            guard var ad = ads[id], ad.adGroupID == adGroupID, ad.status != "ARCHIVED" else { continue }
            ad.status = "ARCHIVED"
            ad.json["status"] = "ARCHIVED"
            ad.json["updated_time"] = .int(time)
            ads[id] = ad
        }
    }
}
