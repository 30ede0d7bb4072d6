/// The token's user (`user_account/get`, schema `Account`). Every field is optional in the
/// spec; `id` is what identifies the user (usernames change).
public struct UserAccount: Codable, Sendable, Equatable {
    /// "User account ID": digits.
    public var id: String?
    public var username: String?
    /// `PINNER` or `BUSINESS`.
    public var accountType: String?
    public var businessName: String?
    public var profileImage: String?
    public var websiteURL: String?
    public var about: String?
    public var boardCount: Int?
    public var pinCount: Int?
    public var followerCount: Int?
    public var followingCount: Int?
    public var monthlyViews: Int?

    public init(id: String?, username: String? = nil, accountType: String? = nil) {
        self.id = id
        self.username = username
        self.accountType = accountType
    }

    enum CodingKeys: String, CodingKey {
        case id, username, about
        case accountType = "account_type"
        case businessName = "business_name"
        case profileImage = "profile_image"
        case websiteURL = "website_url"
        case boardCount = "board_count"
        case pinCount = "pin_count"
        case followerCount = "follower_count"
        case followingCount = "following_count"
        case monthlyViews = "monthly_views"
    }
}
