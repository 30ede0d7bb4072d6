import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - ad create / list

struct CreateAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "An ad (a promoted Pin) in a pinads ad group, created at Pinterest by a job.",
        discussion: """
            Creative types: REGULAR (default), VIDEO, SHOPPING, CAROUSEL, MAX_VIDEO, SHOP_THE_PIN, COLLECTION, \
            IDEA, SHOWCASE, QUIZ, COLLAGE, MAX_WIDTH_REGULAR_COLLECTION, MAX_WIDTH_VIDEO_COLLECTION. The Pin's \
            own kind decides which fits (a video Pin is VIDEO).

            Example:
              pinads ad create 1 --pin 813744226420795884 \\
                  --destination-url https://shop.example.com/winter --wait
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The pinads ad group id.") var adGroupId: Int64
    @Option(help: ArgumentHelp("The Pin to promote (Pinterest's Pin id, digits).", valueName: "pin-id")) var pin: String
    @Option(help: "How the Pin is shown: REGULAR, VIDEO, SHOPPING, CAROUSEL… (see above).") var creativeType = "REGULAR"
    @Option(help: "Its name.") var name: String?
    @Option(help: ArgumentHelp("Where a click goes (http or https).", valueName: "url")) var destinationUrl: String?
    @Option(help: ArgumentHelp("A URL Pinterest calls on each click, for your tracking.", valueName: "url")) var clickTrackingUrl: String?
    @Option(help: ArgumentHelp("A URL Pinterest calls on each impression, for your tracking.", valueName: "url")) var viewTrackingUrl: String?
    @Option(help: "ACTIVE (Pinterest's default) or PAUSED.") var status: String?
    @Flag(help: "Follow the job until Pinterest has the ad, then print its Pinterest id.") var wait = false

    func run() throws {
        let spec = AdSpec(
            pinId: pin, creativeType: creativeType.uppercased(), name: name, clickTrackingUrl: clickTrackingUrl, destinationUrl: destinationUrl,
            status: status?.uppercased(), viewTrackingUrl: viewTrackingUrl)
        let result = try options.call(CreateAdRequest(adGroupId: adGroupId, ad: spec))
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            let a = result.ad
            print("ad \(a.id) (Pin \(a.spec.pinId), \(a.spec.creativeType)) in ad group \(a.adGroupId): \(BuildText.state(a.state, a.pinterestId, a.error))")
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) creates it at Pinterest (its ad group and campaign first, if need be); follow it with: pinads jobs watch \($0)" }
        ) { _ in
            let ads = try options.call(ListAdsRequest(adGroupId: adGroupId)).ads
            guard let a = ads.first(where: { $0.id == result.ad.id }) else { return }
            if options.json {
                Output.printJSON(AdJobResult(ad: a, jobId: result.jobId), pretty: false)
            } else {
                print("ad \(a.id): \(BuildText.state(a.state, a.pinterestId, a.error))")
            }
        }
    }
}

struct ListAds: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Ads of one ad group, or all.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this pinads ad group's.") var adGroup: Int64?

    func run() throws {
        let result = try options.call(ListAdsRequest(adGroupId: adGroup))
        if options.printJSONIfAsked(result) { return }
        if result.ads.isEmpty {
            print("no ads; add one with `pinads ad create AD_GROUP_ID --pin PIN_ID`")
            return
        }
        Output.table(
            ["ID", "AD GROUP", "NAME", "PIN", "TYPE", "STATE", "PINTEREST ID", "ERROR"],
            result.ads.map { a in
                [
                    String(a.id), String(a.adGroupId), a.spec.name ?? "-", a.spec.pinId, a.spec.creativeType, a.state.rawValue,
                    a.pinterestId ?? "-", a.error?.message ?? "",
                ]
            })
    }
}
