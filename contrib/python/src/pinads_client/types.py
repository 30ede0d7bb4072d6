"""Typed parameters and results of the data-plane methods, as TypedDicts (protocol/methods.md).

Results are the JSON objects the daemon sends, typed: a key marked optional here may be absent,
and keys this client does not know yet are kept (a newer daemon may add fields: README §10).
Enumerations (job `state`, …) are typed `str`, since a newer daemon may send new values.
Objects whose shape is large and open (a campaign `spec`, a job `payload`) are `Dict[str, Any]`.

A base class holds the keys that are always present, a `total=False` subclass the optional ones
(Python 3.9 has no `NotRequired`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, TypedDict, Union

JSONObject = Dict[str, Any]
Role = Literal["owner", "admin", "client"]

# -- jobs -----------------------------------------------------------------------------------


class JobProgress(TypedDict, total=False):
    done: int
    total: int
    message: str


class _JobRequired(TypedDict):
    id: int
    kind: str
    state: str  # queued, running, waiting, succeeded, failed, cancelled (or a newer one)
    attempts: int
    max_attempts: int
    payload: JSONObject
    cancel_requested: bool
    created_at: str
    updated_at: str


class Job(_JobRequired, total=False):
    result: Any
    last_error: str
    progress: JobProgress
    next_run_at: str
    started_at: str
    finished_at: str
    blocked_on: str


#: States in which a job changes no more (unless jobs.retry requeues it).
FINISHED_JOB_STATES = frozenset({"succeeded", "failed", "cancelled"})


class JobResult(TypedDict):
    """jobs.get, jobs.retry, jobs.cancel, system.selftest."""
    job: Job


class _ListJobsRequired(TypedDict):
    jobs: List[Job]


class ListJobsResult(_ListJobsRequired, total=False):
    next_before_id: int


class JobEvent(TypedDict):
    """One event of jobs.watch: a job's full state after a change."""
    job: Job


class WatchJobsResult(TypedDict):
    """The final result of jobs.watch: every job's final state, in the order of `ids`."""
    jobs: List[Job]


# -- system ---------------------------------------------------------------------------------


class _HealthStoreRequired(TypedDict):
    status: str
    path: str
    schema_version: int


class HealthStore(_HealthStoreRequired, total=False):
    size_bytes: int
    error: str


class HealthProblemObject(TypedDict):
    kind: str
    id: str


class HealthProblem(TypedDict):
    code: str
    object: HealthProblemObject
    message: str
    fix: str


class _HealthRequired(TypedDict):
    status: str  # "ok", "degraded", "unavailable"; treat anything but "ok" as not ok
    version: str
    protocol_version: int
    uptime_s: float
    store: HealthStore


class HealthResult(_HealthRequired, total=False):
    problems: List[HealthProblem]


class StatusConnections(TypedDict, total=False):
    open: int
    requests_in_flight: int
    accepted_total: int
    refused_total: int
    buffered_bytes: int
    buffered_bytes_peak: int
    buffered_bytes_limit: int


class _PinterestConnectionStatusRequired(TypedDict):
    id: int
    status: str
    needs_reconnect: bool


class PinterestConnectionStatus(_PinterestConnectionStatusRequired, total=False):
    name: str
    status_reason: str


class _ServiceRequired(TypedDict):
    name: str
    state: str


class Service(_ServiceRequired, total=False):
    detail: str


class StatusResult(TypedDict):
    version: str
    pid: int
    started_at: str
    uptime_s: float
    socket_path: str
    state_dir: str
    pinterest_api_base_url: str
    jobs: Dict[str, int]
    connections: StatusConnections
    pinterest_connections: List[PinterestConnectionStatus]
    services: List[Service]


class MethodInfo(TypedDict):
    name: str
    streaming: bool


class MethodsResult(TypedDict):
    protocol_version: int
    methods: List[MethodInfo]


class WhoAmIResult(TypedDict):
    """system.whoami: the Unix identity the daemon saw on this connection, and its role."""
    uid: int
    gid: int
    role: str  # "owner", "admin" or "client" (see Role); a newer daemon may add roles


# -- ad accounts ----------------------------------------------------------------------------


class _AdAccountRequired(TypedDict):
    id: str
    connection_id: int
    is_default: bool


class AdAccount(_AdAccountRequired, total=False):
    name: str
    currency: str
    country: str
    owner_id: str


class ListAdAccountsResult(TypedDict):
    ad_accounts: List[AdAccount]


# -- audiences ------------------------------------------------------------------------------


class ActivationError(TypedDict, total=False):
    message: str
    pinterest_code: int
    at: str


class ActivationProgress(TypedDict, total=False):
    target_version: int
    phase: str
    added: int
    removed: int


class _ActivationRequired(TypedDict):
    id: int
    audience_id: int
    ad_account_id: str
    connection_id: int
    active: bool
    state: str  # NOT_SYNCED, SYNCING, SYNCED, ERROR
    customer_list_name: str
    synced_version: int
    pending_changes: int
    records_added: int
    records_removed: int
    created_at: str
    updated_at: str


class Activation(_ActivationRequired, total=False):
    error: ActivationError
    customer_list_id: str
    pinterest_audience_id: str
    list_status: str
    audience_status: str
    progress: ActivationProgress
    last_synced_at: str


class _ActalikeRequired(TypedDict):
    id: int
    audience_id: int
    activation_id: int
    ad_account_id: str
    name: str
    country: str
    percentage: int
    created_at: str


class Actalike(_ActalikeRequired, total=False):
    pinterest_audience_id: str
    status: str


class _AudienceRequired(TypedDict):
    id: int
    name: str
    list_type: str  # EMAIL, MAID, IDFA
    member_count: int
    version: int
    created_at: str
    updated_at: str
    activations: List[Activation]
    actalikes: List[Actalike]


class Audience(_AudienceRequired, total=False):
    description: str


class AudienceResult(TypedDict):
    audience: Audience


class ListAudiencesResult(TypedDict):
    audiences: List[Audience]


class RejectedMember(TypedDict):
    index: int
    reason: str


class MembersChangeResult(TypedDict):
    """audiences.add_members and audiences.remove_members."""
    added: int
    removed: int
    unchanged: int
    rejected: List[RejectedMember]


class ListActivationsResult(TypedDict):
    activations: List[Activation]


class QueuedSync(TypedDict):
    job_id: int
    activation_id: int
    audience_id: int
    ad_account_id: str


class SyncAudiencesResult(TypedDict):
    syncs: List[QueuedSync]


# -- campaigns ------------------------------------------------------------------------------


class BuildError(TypedDict, total=False):
    message: str
    pinterest_code: int


class PinterestReading(TypedDict, total=False):
    status: str
    summary_status: str
    review_status: str
    rejected_reasons: List[str]
    read_at: str


class Drift(TypedDict):
    field: str
    pinads: Any
    pinterest: Any


class _UpdateInfoRequired(TypedDict):
    id: int
    state: str  # QUEUED, APPLIED, REFUSED
    changes: JSONObject
    created_at: str


class UpdateInfo(_UpdateInfoRequired, total=False):
    error: BuildError
    applied_at: str


class _CampaignRequired(TypedDict):
    id: int
    ad_account_id: str
    state: str  # PENDING, CREATED, ERROR
    tracked: bool
    created_at: str
    updated_at: str


class Campaign(_CampaignRequired, total=False):
    spec: JSONObject
    pinterest_id: str
    error: BuildError
    pinterest_status: str
    client_request_id: str
    pinterest: PinterestReading
    drift: List[Drift]
    latest_update: UpdateInfo


class Keyword(TypedDict, total=False):
    value: str
    match_type: str
    pinterest_id: str


class _AdGroupRequired(TypedDict):
    id: int
    campaign_id: int
    spec: JSONObject
    state: str
    created_at: str
    updated_at: str


class AdGroup(_AdGroupRequired, total=False):
    pinterest_id: str
    error: BuildError
    keywords: List[Keyword]
    made_elsewhere: bool
    pinterest: PinterestReading
    drift: List[Drift]
    latest_update: UpdateInfo


class _AdRequired(TypedDict):
    id: int
    ad_group_id: int
    spec: JSONObject
    state: str
    created_at: str
    updated_at: str


class Ad(_AdRequired, total=False):
    pinterest_id: str
    error: BuildError
    made_elsewhere: bool
    pinterest: PinterestReading
    drift: List[Drift]
    latest_update: UpdateInfo


class ListCampaignsResult(TypedDict):
    campaigns: List[Campaign]


class CampaignDetail(TypedDict):
    """campaigns.get."""
    campaign: Campaign
    ad_groups: List[AdGroup]
    ads: List[Ad]


class _MetricsRowRequired(TypedDict):
    campaign_id: int
    date: str
    spend_micro: int
    impressions: int
    clicks: int
    saves: int


class MetricsRow(_MetricsRowRequired, total=False):
    ad_group_id: int
    ad_id: int
    conversions: int
    conversion_value_micro: int


class _MetricsTotalsRequired(TypedDict):
    spend_micro: int
    impressions: int
    clicks: int
    saves: int
    conversions: int
    conversion_value_micro: int


class MetricsTotals(_MetricsTotalsRequired, total=False):
    ctr: float
    cpc_micro: float
    cpm_micro: float
    roas: float


class _CampaignMetricsRequired(TypedDict):
    rows: List[MetricsRow]
    totals: MetricsTotals


class CampaignMetricsResult(_CampaignMetricsRequired, total=False):
    level: str  # campaign, ad_group, ad
    pulled_at: str


# -- conversions ----------------------------------------------------------------------------


class ConversionContent(TypedDict, total=False):
    id: str
    item_price: Union[int, float, str]
    quantity: int
    item_name: str
    item_category: str
    item_brand: str


class _ConversionEventRequired(TypedDict):
    event_name: str  # checkout, add_to_cart, lead, page_visit, signup, … (Pinterest's 15 names)
    event_id: str


class ConversionEvent(_ConversionEventRequired, total=False):
    """One event of conversions.send in pinads' flat shape (methods.md, *The event object*).
    Pinterest's shape (`user_data`, `custom_data`) is accepted too. Any mapping will do: the
    client sends every key as given, and the daemon rejects an event with a field it does not
    know, naming it (nothing is dropped on either side)."""
    event_time: int  # Unix seconds
    action_source: str  # web, app_android, app_ios, offline
    event_source_url: str
    opt_out: bool
    partner_name: str
    language: str
    app_id: str
    app_name: str
    app_version: str
    device_brand: str
    device_carrier: str
    device_model: str
    device_type: str
    os_version: str
    wifi: bool
    app_info: JSONObject
    device_info: JSONObject
    user_data: JSONObject
    custom_data: JSONObject
    # the person
    email: str
    emails: List[str]
    phone: str
    phones: List[str]
    em: List[str]
    ph: List[str]
    hashed_maids: Union[str, List[str]]
    fn: Union[str, List[str]]
    ln: Union[str, List[str]]
    ge: Union[str, List[str]]
    db: Union[str, List[str]]
    ct: Union[str, List[str]]
    st: Union[str, List[str]]
    zp: Union[str, List[str]]
    country: Union[str, List[str]]
    external_id: Union[str, List[str]]
    client_ip_address: str
    client_user_agent: str
    click_id: str
    partner_id: str
    # what was bought
    value: Union[int, float, str]  # currency units (49.99), not micro-units
    currency: str
    order_id: str
    content_ids: List[str]
    num_items: int
    contents: List[ConversionContent]
    content_name: str
    content_category: str
    content_brand: str
    search_string: str
    predicted_ltv: Union[int, float, str]
    opt_out_type: str
    np: str
    external_measurement_id: str
    external_measurement_vendor_id: int


class RejectedEvent(TypedDict):
    index: int
    reason: str


class SendConversionsResult(TypedDict):
    """conversions.send: `accepted + duplicates + len(rejected)` is the number of events sent."""
    accepted: int
    duplicates: int
    rejected: List[RejectedEvent]


class _ConversionStatsRequired(TypedDict):
    queued: int
    in_flight: int
    sent: int
    failed: int
    duplicates: int
    rejected: int
    events_per_second: float


class ConversionStats(_ConversionStatsRequired, total=False):
    latency_p50_ms: float
    latency_p99_ms: float
    oldest_queued_age_seconds: float
    last_error: str


class _ConversionEventInfoRequired(TypedDict):
    sequence: int
    ad_account_id: str
    test: bool
    event_name: str
    event_id: str
    state: str  # queued, in_flight, sent, failed
    attempts: int
    accepted_at: str
    duplicates: int


class ConversionEventInfo(_ConversionEventInfoRequired, total=False):
    """conversions.get, and each event of conversions.list."""
    error_message: str
    warning_message: str
    last_attempt_error: str
    answered_at: str
    next_attempt_at: str


class _ListConversionsRequired(TypedDict):
    events: List[ConversionEventInfo]


class ListConversionsResult(_ListConversionsRequired, total=False):
    next_after: int
