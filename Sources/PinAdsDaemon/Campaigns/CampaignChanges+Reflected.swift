import Foundation
import PinAdsJSON
import PinterestAPI

// Whether Pinterest's object already has a change: how an update whose answer was lost (a
// crash, a cut connection) is told apart from one that never arrived, before it is sent again.

extension Patch where Value == Int64 {
    func holds(_ value: Int64?) -> Bool { self.value == value }
}

private func unix(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

private func same<T: Equatable>(_ wanted: T?, _ actual: T?) -> Bool {
    guard let wanted else { return true }
    return wanted == actual
}

extension CampaignChange {
    func isReflected(in campaign: Campaign) -> Bool {
        same(name, campaign.name) && same(status, campaign.status) && (dailySpendCap?.holds(campaign.dailySpendCap) ?? true)
            && (lifetimeSpendCap?.holds(campaign.lifetimeSpendCap) ?? true) && same(startTime.map(unix), campaign.startTime)
            && (endTime.map { $0.value.map(unix) == campaign.endTime } ?? true)
    }
}

extension AdGroupChange {
    /// - Parameter targeting: the Pinterest targeting spec the change sends, if it sends one.
    func isReflected(in group: AdGroup, targeting: [String: [String]]?) -> Bool {
        guard same(name, group.name), same(status, group.status), same(budgetInMicroCurrency, group.budgetInMicroCurrency),
            bidInMicroCurrency?.holds(group.bidInMicroCurrency) ?? true, same(bidStrategyType, group.bidStrategyType),
            same(startTime.map(unix), group.startTime), endTime.map({ $0.value.map(unix) == group.endTime }) ?? true,
            same(autoTargetingEnabled, group.autoTargetingEnabled)
        else { return false }
        if let goal = optimizationGoal {
            let actual = group.optimizationGoalMetadata?.conversionTagV3GoalMetadata
            let windows = actual?.attributionWindows
            guard actual?.conversionTagID == goal.conversionTagID, actual?.conversionEvent == goal.conversionEvent,
                same(goal.cpaGoalInMicroCurrency.map(String.init), actual?.cpaGoalValueInMicroCurrency),
                same(goal.clickWindowDays, windows?.clickWindowDays), same(goal.engagementWindowDays, windows?.engagementWindowDays),
                same(goal.viewWindowDays, windows?.viewWindowDays), same(goal.roasOptimized, actual?.isRoasOptimized)
            else { return false }
        }
        if let targeting {
            guard case .object(let actual)? = group.targetingSpec else { return targeting.isEmpty }
            let sent = targeting.mapValues { Set($0) }
            let held = actual.compactMapValues { value in value.arrayValue.map { Set($0.compactMap(\.stringValue)) } }
            guard sent == held.filter({ !$0.value.isEmpty }) else { return false }
        }
        return true
    }
}

extension AdChange {
    func isReflected(in ad: Ad) -> Bool {
        same(name, ad.name) && same(status, ad.status) && (destinationURL.map { $0.value == ad.destinationURL } ?? true)
            && (clickTrackingURL.map { $0.value == ad.clickTrackingURL } ?? true) && (viewTrackingURL.map { $0.value == ad.viewTrackingURL } ?? true)
    }
}
