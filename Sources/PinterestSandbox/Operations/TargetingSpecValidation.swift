extension SandboxState {
    /// `targeting_spec`: UPPERCASE keys of the spec only, typed values, enum members, audience ids
    /// that exist in the ad account, and at least one of LOCATION or GEO.
    func validateTargetingSpec(_ spec: JSONObject, account: AdAccountRecord, into check: inout ItemValidator) {
        let stringArrayKeys: [String: [String]?] = [
            "AGE_BUCKET": ["18-24", "19+", "20+", "21+", "25-34", "35-44", "45-49", "50-54", "55-64", "65+"],
            "APPTYPE": ["android_mobile", "android_tablet", "ipad", "iphone", "web", "web_mobile"],
            "GENDER": ["unknown", "male", "female"],
            "TARGETING_STRATEGY": ["CHOOSE_YOUR_OWN", "FIND_NEW_CUSTOMERS", "RECONNECT_WITH_USERS"],
            "AUDIENCE_INCLUDE": nil, "AUDIENCE_EXCLUDE": nil, "GEO": nil, "INTEREST": nil, "LOCALE": nil,
            "LOCATION": nil,
        ]
        var hasLocation = false
        for entry in spec.pairs {
            let (key, value) = (entry.key, entry.value)
            if let allowed = stringArrayKeys[key] {
                if value.isNull, key != "INTEREST" { continue }
                guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                    check.problem("targeting_spec.\(key) must be an array of strings.")
                    continue
                }
                let strings = array.compactMap(\.stringValue)
                if let allowed, let bad = strings.first(where: { !allowed.contains($0) }) {
                    check.problem("targeting_spec.\(key) value \"\(bad)\" is not one of \(allowed.joined(separator: ", ")).")
                }
                if key == "LOCATION" || key == "GEO", !strings.isEmpty { hasLocation = true }
                if key == "AUDIENCE_INCLUDE" || key == "AUDIENCE_EXCLUDE" {
                    for id in strings {
                        guard Router.isPathID(id) else {
                            check.problem("targeting_spec.\(key) ids must be digit strings.")
                            break
                        }
                        if audiences[id]?.adAccountID != account.id {
                            let hint = customerLists[id] != nil ? " (that is a customer list id; use its audience's id)" : ""
                            check.problem("targeting_spec.\(key): audience \(id) not found in ad account \(account.id)\(hint).")
                        }
                    }
                }
            } else if key == "MINIMUM_AGE" || key == "MAXIMUM_AGE" {
                guard let text = value.stringValue, !text.isEmpty else {
                    check.problem("targeting_spec.\(key) must be a single string such as \"18\" or \"65+\".")
                    continue
                }
                let digits = key == "MAXIMUM_AGE" && text.hasSuffix("+") ? String(text.dropLast()) : text
                guard let age = Int(digits), (18...65).contains(age) else {
                    check.problem("targeting_spec.\(key) must be \"18\"...\"65\"\(key == "MAXIMUM_AGE" ? " or \"65+\"" : "").")
                    continue
                }
            } else if key == "SHOPPING_RETARGETING" {
                if value.isNull { continue }
                guard let array = value.arrayValue, array.allSatisfy({ $0.objectValue != nil }) else {
                    check.problem("targeting_spec.SHOPPING_RETARGETING must be an array of objects.")
                    continue
                }
            } else {
                check.problem("targeting_spec.\(key) is not a targeting key of the spec (keys are UPPERCASE).")
            }
        }
        if (spec["MINIMUM_AGE"] != nil) != (spec["MAXIMUM_AGE"] != nil) {
            check.problem("targeting_spec.MINIMUM_AGE and MAXIMUM_AGE must be used together.")
        }
        if spec["AGE_BUCKET"] != nil, spec["MINIMUM_AGE"] != nil {
            check.problem("targeting_spec.AGE_BUCKET cannot be combined with MINIMUM_AGE/MAXIMUM_AGE.")
        }
        if !hasLocation {
            check.problem("targeting_spec needs at least one of LOCATION or GEO.")
        }
    }
}
