import Foundation
import PinAdsJSON

// Updates, checked with the same field-named errors as creates: each change on its own, then
// the object as it would be once Pinterest has it (`merged`). Fields are named as the update
// request spells them (`daily_spend_cap`, not `campaign.daily_spend_cap`).

extension CampaignValidator {
    /// A campaign change and the plan it makes (nil for a campaign tracked, not made, here).
    func campaignChange(_ change: CampaignChange, current: CampaignPlan?) throws -> (change: CampaignChange, merged: CampaignPlan?) {
        var change = change
        guard !change.isEmpty else { throw invalid("params", "names nothing to change; see `pinads campaign update --help`") }
        if let name = change.name { change.name = try self.name(name, field: "name") }
        if let status = change.status { change.status = try oneOf(status.uppercased(), Self.updateStatuses, field: "status") }
        try positive(change.dailySpendCap?.value, field: "daily_spend_cap")
        try positive(change.lifetimeSpendCap?.value, field: "lifetime_spend_cap")
        if change.dailySpendCap?.value != nil, change.lifetimeSpendCap?.value != nil {
            throw invalid("lifetime_spend_cap", "Pinterest takes daily_spend_cap or lifetime_spend_cap, not both")
        }
        // Switching between a daily and a lifetime cap: the other one is cleared.
        if change.dailySpendCap?.value != nil, change.lifetimeSpendCap == nil, current?.lifetimeSpendCap != nil { change.lifetimeSpendCap = .clear }
        if change.lifetimeSpendCap?.value != nil, change.dailySpendCap == nil, current?.dailySpendCap != nil { change.dailySpendCap = .clear }
        let merged = current.map(change.applied(to:))
        try changedWindow(start: change.startTime, end: change.endTime, merged: (merged?.startTime, merged?.endTime), prefix: nil)
        return (change, merged)
    }

    /// An ad group change and the plan it makes. `campaign` is nil for a tracked campaign.
    func adGroupChange(_ change: AdGroupChange, current: AdGroupPlan, campaign: CampaignPlan?) throws -> (change: AdGroupChange, merged: AdGroupPlan) {
        var change = change
        guard !change.isEmpty else { throw invalid("params", "names nothing to change; see `pinads ad-group update --help`") }
        if let name = change.name { change.name = try self.name(name, field: "name") }
        if let status = change.status { change.status = try oneOf(status.uppercased(), Self.updateStatuses, field: "status") }
        try positive(change.budgetInMicroCurrency, field: "budget_in_micro_currency")
        if let strategy = change.bidStrategyType {
            change.bidStrategyType = try oneOf(strategy.uppercased(), Self.bidStrategies, field: "bid_strategy_type")
        }
        // To automatic bidding without saying what becomes of the bid: it goes.
        if change.bidStrategyType == "AUTOMATIC_BID", change.bidInMicroCurrency == nil, current.bidInMicroCurrency != nil {
            change.bidInMicroCurrency = .clear
        }
        if let targeting = change.targeting { change.targeting = try self.targeting(targeting, prefix: "targeting") }
        if let keywords = change.keywords { change.keywords = try self.keywords(keywords, prefix: "keywords") }
        var merged = change.applied(to: current)
        try bidding(&merged, objective: campaign?.objectiveType, fillDefaults: false, prefix: "")
        try changedWindow(start: change.startTime, end: change.endTime, merged: (merged.startTime, merged.endTime), prefix: nil)
        // The window inside the campaign's is checked when the update moves it (a campaign
        // whose window was cut since must not keep its ad groups from being paused).
        if change.startTime != nil || change.endTime != nil { try schedule(merged, campaign: campaign, prefix: "") }
        if change.optimizationGoal != nil || change.bidStrategyType != nil {
            merged.optimizationGoal = try goal(merged.optimizationGoal, spec: merged, objective: campaign?.objectiveType, prefix: "")
            change.optimizationGoal = change.optimizationGoal.map { _ in merged.optimizationGoal } ?? nil
        }
        return (change, merged)
    }

    /// An ad change and the plan it makes.
    func adChange(_ change: AdChange, current: AdPlan) throws -> (change: AdChange, merged: AdPlan) {
        var change = change
        guard !change.isEmpty else { throw invalid("params", "names nothing to change; see `pinads ad update --help`") }
        if let name = change.name { change.name = try self.name(name, field: "name", maximum: 255) }
        if let status = change.status { change.status = try oneOf(status.uppercased(), Self.updateStatuses, field: "status") }
        try url(change.destinationURL?.value, field: "destination_url")
        try url(change.clickTrackingURL?.value, field: "click_tracking_url")
        try url(change.viewTrackingURL?.value, field: "view_tracking_url")
        return (change, change.applied(to: current))
    }

    /// The times an update sets: a new end must lie ahead and after the start; a new start
    /// before the end. Times it leaves alone are not judged (a finished campaign can be paused).
    private func changedWindow(start: Date?, end: Patch<Date>?, merged: (start: Date?, end: Date?), prefix: String?) throws {
        let field = { (name: String) in prefix.map { "\($0).\(name)" } ?? name }
        if let end = end?.value {
            guard end > now else { throw invalid(field("end_time"), "is in the past (\(Timestamp.format(end)))") }
            if let start = merged.start, end <= start { throw invalid(field("end_time"), "must be after start_time (\(Timestamp.format(start)))") }
        }
        if let start, let end = merged.end, end <= start {
            throw invalid(field("start_time"), "must be before end_time (\(Timestamp.format(end)))")
        }
    }
}
