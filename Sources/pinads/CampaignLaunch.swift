import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - campaign launch

struct LaunchCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Campaign, ad group and ad from one plan file, built at Pinterest as one job; safe to run again.",
        discussion: """
            The plan is a JSON object in the protocol's shape: snake_case names, money in micro-currency \
            (1 unit = 1,000,000), times RFC 3339. Fields pinads does not know are refused rather than ignored.
              {
                "campaign": {"name": "Spring 2027", "objective_type": "AWARENESS",
                             "lifetime_spend_cap": 300000000},
                "ad_group": {"name": "Spring: lookalikes", "billable_event": "IMPRESSION",
                             "budget_in_micro_currency": 10000000,
                             "bid_in_micro_currency": 3000000,
                             "targeting": {"locations": ["US"], "audiences_include": [3]}},
                "ad": {"pin_id": "813744226420801337", "creative_type": "VIDEO",
                       "destination_url": "https://shop.example.com/spring"},
                "client_request_id": "spring-2027"
              }

            The client request id (in the file, or --client-request-id, which wins) names the launch: running it \
            again with the same id resumes it from the first level Pinterest does not have, and retries levels \
            Pinterest refused; it never makes a second campaign. Use a new id for a new launch.

            The campaign is left PAUSED once built, so nothing spends until `pinads campaign resume ID`; \
            --status ACTIVE (or "status": "ACTIVE" in the file) makes it run as soon as all three levels exist.

            Examples:
              pinads campaign launch --file plan.json --client-request-id spring-27 --wait
              pinads campaign launch --file plan.json --client-request-id spring-27 --status ACTIVE
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: ArgumentHelp("The plan (JSON); - reads standard input.", valueName: "plan.json")) var file: String
    @Option(help: ArgumentHelp("Names this launch (overrides the file's client_request_id).", valueName: "id"))
    var clientRequestId: String?
    @Option(help: "PAUSED (the default: nothing spends until `campaign resume`) or ACTIVE (overrides the file's status).")
    var status: String?
    @Flag(help: "Follow the job until all three levels exist at Pinterest, then print their Pinterest ids.") var wait = false

    func validate() throws {
        if let status, !["ACTIVE", "PAUSED"].contains(status.uppercased()) {
            throw ValidationError("--status must be ACTIVE or PAUSED, got '\(status)'")
        }
    }

    func run() throws {
        let request: LaunchCampaignRequest
        do {
            request = try LaunchPlan.load(path: file, clientRequestId: clientRequestId, status: status?.uppercased())
        } catch let error as ValidationError {
            Output.printError(error.message)
            throw ExitCode(64)
        }
        let result = try options.call(request)
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            if result.resumed {
                print("launch '\(request.clientRequestId)' was started before; resuming it:")
            } else {
                print("launch '\(request.clientRequestId)' queued:")
            }
            BuildText.levels(campaign: result.campaign, adGroup: result.adGroup, ad: result.ad)
            if result.jobId == nil { print("all three exist at Pinterest; nothing to do") }
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) builds what is missing; follow it with: pinads jobs watch \($0) (then pinads campaign show \(result.campaign.id))" }
        ) { ok in
            let detail = try options.call(GetCampaignRequest(campaignId: result.campaign.id))
            if options.json {
                Output.printJSON(detail, pretty: false)
            } else {
                BuildText.levels(
                    campaign: detail.campaign, adGroup: detail.adGroups.first { $0.id == result.adGroup.id } ?? result.adGroup,
                    ad: detail.ads.first { $0.id == result.ad.id } ?? result.ad)
                if !ok {
                    let again = "pinads campaign launch --file \(file) --client-request-id \(request.clientRequestId)\(status.map { " --status \($0.uppercased())" } ?? "")"
                    print("run `\(again)` again to resume once the cause is fixed")
                } else if request.status?.uppercased() != "ACTIVE" {
                    print("the campaign is PAUSED: nothing spends until `pinads campaign resume \(detail.campaign.id)`")
                }
            }
        }
    }
}

/// Where JSONSerialization found a JSON syntax error, if it says.
enum JSONPlanError {
    static func position(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }
}

/// Reading a launch plan file into the protocol's request.
enum LaunchPlan {
    static func load(path: String, clientRequestId: String?, status: String? = nil) throws -> LaunchCampaignRequest {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw ValidationError("--file: cannot read \(path)") }
            data = contents
        }
        return try parse(data, name: path == "-" ? "the plan" : path, clientRequestId: clientRequestId, status: status)
    }

    static func parse(_ data: Data, name: String, clientRequestId: String?, status: String? = nil) throws -> LaunchCampaignRequest {
        let data = JSONInput.padded(data)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            // Foundation's JSONDecoder does not say where; JSONSerialization does.
            let detail = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil
                ? JSONPlanError.position(data) : nil
            throw ValidationError("\(name) is not valid JSON\(detail.map { " (\($0))" } ?? "")")
        }
        guard case .object(var object) = value else {
            throw ValidationError("\(name) must hold a JSON object {\"campaign\": {…}, \"ad_group\": {…}, \"ad\": {…}}, got \(value.typeName)")
        }
        if let clientRequestId {
            object["client_request_id"] = .string(clientRequestId)
        }
        if let status {
            object["status"] = .string(status)
        }
        let given = object["client_request_id"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if given.isEmpty {
            throw ValidationError(
                """
                a launch needs a client request id: give --client-request-id ID (or "client_request_id" in \(name)). \
                It is what makes a retry safe: launching again with the same id resumes that launch where it stopped \
                instead of creating a second campaign at Pinterest. Choose one per launch (e.g. spring-2027 or a UUID) and keep it.
                """)
        }
        let request: LaunchCampaignRequest
        do {
            request = try Wire.decoder().decode(LaunchCampaignRequest.self, from: Wire.encoder().encode(JSONValue.object(object)))
        } catch {
            throw ValidationError("\(name): \(describe(error))")
        }
        // JSON decoding drops fields it does not know: a misspelt budget would vanish silently.
        let known = try JSONDecoder().decode(JSONValue.self, from: Wire.encoder().encode(request))
        let unknown = unknownFields(.object(object), known: known, path: "")
        if !unknown.isEmpty {
            throw ValidationError(
                "\(name): unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); pinads would ignore \(unknown.count == 1 ? "it" : "them"). Names are the protocol's (snake_case), money is micro-currency: \"daily_spend_cap\": 50000000 is 50.")
        }
        return request
    }

    /// Paths of non-null fields in `given` that do not survive a decode and encode.
    static func unknownFields(_ given: JSONValue, known: JSONValue, path: String) -> [String] {
        switch (given, known) {
        case (.object(let object), .object(let knownObject)):
            return object.keys.sorted().flatMap { key -> [String] in
                let value = object[key] ?? .null
                if value == .null { return [] }
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else { return [child] }
                return unknownFields(value, known: knownValue, path: child)
            }
        case (.array(let items), .array(let knownItems)):
            return items.enumerated().flatMap { index, item in
                index < knownItems.count ? unknownFields(item, known: knownItems[index], path: "\(path)[\(index)]") : []
            }
        default:
            return []
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is Int64.Type, is Int.Type: return "a whole number"
            case is String.Type: return "a string"
            case is Bool.Type: return "true or false"
            case is Date.Type: return "an RFC 3339 time"
            case is [String].Type: return "an array of strings"
            case is [Int64].Type: return "an array of whole numbers"
            case is [Any].Type: return "an array"
            case is [String: Any].Type: return "an object"
            default: return "\(type)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(kind(type)), not null"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(kind(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
