"""What ``haproxy -c`` refuses, found without running haproxy (TC001).

Version policy: tcommlint supports HAProxy 2.6 and every later version. A statement is a
refusal only when HAProxy 2.6 refuses it (``haproxy -c`` exits non-zero with an ALERT) and
the later versions agree, so that the file loads in none of the supported versions:

- a keyword removed before 2.6 (``appsession`` in 1.6; ``block``, ``redispatch``,
  ``reqrep``/``reqadd``/``rspdel``…, ``contimeout``… in 2.1; ``monitor-net`` and
  ``mode health`` in 2.3; ``grace``, ``option http_proxy`` and ``nbproc`` in 2.5) is a
  refusal, and the reason names the version that removed it and its replacement;
- a keyword 2.6 accepts but a later version removed (``bind-process``: a warning in 2.6,
  removed in 2.7) is not: the file loads in 2.6;
- a keyword 2.6 does not know but a later version added (``option forwarded``, ``guid``,
  ``timeout client-hs``, ``balance log-hash``) is not: the file loads in that version.

Every check below was confirmed against ``haproxy -c`` of 2.6
(``tests/test_haproxy_refusals.py`` replays them). The keyword and sample-fetch catalogues
are the union over HAProxy 2.6 to 3.4 (from each release's keyword registrations), and the
direction of each HTTP sample fetch comes from 2.6's own table (``haproxy -dKsmp``), which
is the same in every later release. What HAProxy only warns about (``stick`` in a frontend,
an anonymous ACL that can never match in a response rule, a TCP frontend using an HTTP
backend) is not reported. Checks that depend on the machine (certificates, files, DNS) are
left to ``--haproxy``.

Statements inside ``.if`` blocks tcommlint cannot decide are not checked (the branch may
never be read), but what they define (ACLs, tables, backends) counts as defined. Words
holding unresolved environment variables are not checked either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tcommlint.durations import is_haproxy_time
from tcommlint.loaders.haproxy.proxies import Origin, Proxy, resolve_proxies
from tcommlint.loaders.haproxy.reader import Section, Statement, Word
from tcommlint.model import ParseError
from tcommlint.patterns import LazyPattern
from tcommlint.source import Span


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- catalogues ------------------------------------------------------------------------------

# Keywords of frontend/backend/listen/defaults sections in some supported version (2.6-3.4),
# the removed ones below excepted.
_PROXY_KEYWORDS = _words(
    """
    acl backlog balance be-unpublished bind bind-process capture clitcpka-cnt clitcpka-idle
    clitcpka-intvl compression cookie declare default-server default_backend description
    disabled dispatch dynamic-cookie-key email-alert enabled error-log-format errorfile
    errorfiles errorloc errorloc302 errorloc303 external-check filter filter-sequence
    force-be-switch force-persist fullconn guid hash-balance-factor hash-preserve-affinity
    hash-type http-after-response http-check http-error http-request http-response http-reuse
    http-send-name-header id ignore-persist load-server-state-from-file log log-balance
    log-format log-format-sd log-steps log-tag max-keep-alive-queue max-session-srv-conns
    maxconn mode monitor monitor-uri no default option persist quic-initial rate-limit
    redirect retries retry-on server server-state-file-name server-template source
    srvtcpka-cnt srvtcpka-idle srvtcpka-intvl ssl-f-use stats stick stick-table tcp-check
    tcp-request tcp-response timeout transparent unique-id-format unique-id-header
    use-fcgi-app use-server use_backend usesrc
    """
)
_HTTP_REQUEST_INSTEAD = "'http-request replace-path', 'http-request replace-uri' or " + (
    "'http-request replace-header'"
)
# keyword -> (the version that removed it, what to use instead); 2.6 and later refuse them.
_REMOVED_KEYWORDS: dict[str, tuple[str, str]] = {
    "appsession": (
        "1.6",
        "'stick-table' with 'stick on req.cook(...)' and "
        "'stick store-response res.cook(...)', or 'cookie ... prefix'",
    ),
    "block": ("2.1", "'http-request deny', which takes the same condition"),
    "redispatch": ("2.1", "'option redispatch'"),
    "redisp": ("2.1", "'option redispatch'"),
    "reqrep": ("2.1", _HTTP_REQUEST_INSTEAD),
    "cliexp": ("2.1", _HTTP_REQUEST_INSTEAD),
    "reqirep": ("2.1", "'http-request replace-header'"),
    "reqdel": ("2.1", "'http-request del-header'"),
    "reqidel": ("2.1", "'http-request del-header'"),
    "reqadd": ("2.1", "'http-request add-header'"),
    "reqdeny": ("2.1", "'http-request deny'"),
    "reqideny": ("2.1", "'http-request deny'"),
    "reqallow": ("2.1", "'http-request allow'"),
    "reqiallow": ("2.1", "'http-request allow'"),
    "reqtarpit": ("2.1", "'http-request tarpit'"),
    "reqitarpit": ("2.1", "'http-request tarpit'"),
    "reqpass": ("2.1", "nothing (remove it)"),
    "reqipass": ("2.1", "nothing (remove it)"),
    "rspadd": ("2.1", "'http-response add-header'"),
    "rspdel": ("2.1", "'http-response del-header'"),
    "rspidel": ("2.1", "'http-response del-header'"),
    "rsprep": ("2.1", "'http-response replace-header'"),
    "rspirep": ("2.1", "'http-response replace-header'"),
    "srvexp": ("2.1", "'http-response replace-header'"),
    "rspdeny": ("2.1", "'http-response deny'"),
    "rspideny": ("2.1", "'http-response deny'"),
    "contimeout": ("2.1", "'timeout connect'"),
    "clitimeout": ("2.1", "'timeout client'"),
    "srvtimeout": ("2.1", "'timeout server'"),
    "monitor-net": ("2.3", "'http-request return status 200 if { src <network> }'"),
    "grace": ("2.5", "'hard-stop-after' in the global section"),
}
# Keywords removed long before 2.6 that 2.6 reports as unknown: a hint for the reason.
_FORGOTTEN_KEYWORDS: dict[str, str] = {
    "reqsetbe": "'use_backend <backend> if { hdr(...) ... }'",
    "reqisetbe": "'use_backend <backend> if { hdr(...) -i ... }'",
}
_GLOBAL_REMOVED: dict[str, tuple[str, str]] = {
    "nbproc": ("2.5", "threads, used automatically ('nbthread')"),
    "tune.chksize": ("1.6", "'tune.bufsize', which is used instead"),
}
_OPTIONS = _words(
    """
    abortonclose accept-invalid-http-request accept-invalid-http-response
    accept-unsafe-violations-in-http-request accept-unsafe-violations-in-http-response
    allbackups assume-rfc6587-ntf checkcache clitcpka contstats disable-h2-upgrade
    dont-parse-log dontlog-normal dontlognull external-check forwarded forwardfor
    h1-case-adjust-bogus-client h1-case-adjust-bogus-server http-buffer-request
    http-drop-request-trailers http-drop-response-trailers http-ignore-probes
    http-keep-alive http-no-delay http-pretend-keepalive http-restrict-req-hdr-names
    http-server-close http-use-proxy-header httpchk httpclose httplog httpslog
    idle-close-on-response independent-streams ldap-check log-health-checks
    log-separate-errors logasap mysql-check nolinger original-to originalto persist
    pgsql-check prefer-last-server redis-check redispatch smtpchk socket-stats splice-auto
    splice-request splice-response spop-check srvtcpka ssl-hello-chk tcp-check
    tcp-smart-accept tcp-smart-connect tcpka tcplog transparent use-small-buffers
    """
)
_REMOVED_OPTIONS: dict[str, tuple[str, str]] = {
    "forceclose": ("2.0", "remove it, or use 'option httpclose' if really needed"),
    "http-tunnel": ("2.1", "remove it, it should not be needed"),
    "http_proxy": ("2.5", "use 'http-request set-dst' and 'http-request set-uri'"),
    "http-use-htx": ("2.5", "remove it, HTX has been the only mode since 2.1"),
}
# Options whose 'no option'/'default option' form HAProxy refuses (2.6 and later alike).
_NOT_NEGATABLE_OPTIONS = _words(
    """
    external-check forwardfor http-restrict-req-hdr-names httpchk httplog httpslog ldap-check
    mysql-check original-to originalto pgsql-check redis-check smtpchk spop-check
    ssl-hello-chk tcp-check tcpka tcplog
    """
)
# What 'no' and 'default' may prefix, in any section.
_NEGATABLE_KEYWORDS = _words(
    "option log busy-polling set-dumpable strict-limits insecure-fork-wanted numa-cpu-mapping"
)
_RULE_KEYWORDS = _words("http-request http-response http-after-response tcp-request tcp-response")
_MODES = _words("tcp http log spop")
_BALANCE = _words(
    "roundrobin static-rr leastconn first source uri url_param hdr random rdp-cookie hash "
    "log-hash sticky"
)
_TIMEOUTS = _words(
    "client server connect check queue http-keep-alive http-request tunnel tarpit client-fin "
    "server-fin client-hs"
)
_COOKIE_MODES = ("rewrite", "insert", "prefix")
_COOKIE_FLAGS = _words("indirect nocache postonly preserve httponly secure dynamic")
_COOKIE_WITH_VALUE = _words("domain maxidle maxlife attr")
_TABLE_TYPES = _words("ip ipv4 ipv6 integer string binary")
_STICK_ACTIONS = {
    "on": "request",
    "match": "request",
    "store": "request",
    "store-request": "request",
    "store-response": "response",
}
_PREDEFINED_ACLS = _words(
    """
    TRUE FALSE HTTP HTTP_1.0 HTTP_1.1 HTTP_2.0 HTTP_3.0 HTTP_CONTENT HTTP_URL_ABS
    HTTP_URL_SLASH HTTP_URL_STAR LOCALHOST METH_CONNECT METH_DELETE METH_GET METH_HEAD
    METH_OPTIONS METH_POST METH_PUT METH_TRACE RDP_COOKIE REQ_CONTENT WAIT_END
    """
)
_CONDITION_KEYWORDS = _words(
    """
    use_backend use-server http-request http-response http-after-response tcp-request
    tcp-response redirect stick force-persist ignore-persist monitor
    """
)
# Not allowed in any defaults section / only in a named one (2.6 and later alike).
_NOT_IN_DEFAULTS = _words(
    "bind id description use_backend use-server redirect force-persist ignore-persist "
    "stick stick-table server server-template dispatch filter"
)
_NOT_IN_ANONYMOUS_DEFAULTS = _words(
    "acl http-request http-response http-after-response tcp-request tcp-response"
)
_NAME_CHAR = LazyPattern(r"[A-Za-z0-9_.:-]")
_NAME = re.compile(r"[A-Za-z0-9_.:-]*")  # a name of _NAME_CHARs only: nearly every name
_SAMPLE_IN_FORMAT = LazyPattern(r"%\[\s*([^\s(,\]]*)")
_TRACK_SC = re.compile(r"track-sc\d+")

# Every sample fetch of some supported version (2.6-3.4, optional modules included).
_FETCHES = _words(
    """
    51d.all accept_date acl act_conn always_false always_true avg_queue base base32 base32+src
    baseq bc.timer.connect bc_be_queue bc_dst bc_dst_port bc_err bc_err_name bc_err_str
    bc_glitches bc_http_major bc_nb_streams bc_reused bc_rtt bc_rttvar bc_setting_streams_limit
    bc_settings_streams_limit bc_src bc_src_port bc_srv_queue be_conn be_conn_free
    be_connect_timeout be_id be_max_retries be_name be_queue_timeout be_server_timeout
    be_sess_rate be_tarpit_timeout be_tunnel_timeout bin bool bs.aborted bs.debug_str bs.id
    bs.rst_code bytes_in bytes_out capture.req.hdr capture.req.method capture.req.uri
    capture.req.ver capture.res.hdr capture.res.ver connslots cook cook_cnt cook_val cookie
    cpu_calls cpu_ns_avg cpu_ns_tot cpu_usage_grp cpu_usage_proc cpu_usage_thr
    cur_client_timeout cur_connect_timeout cur_max_retries cur_queue_timeout cur_server_timeout
    cur_tarpit_timeout cur_tunnel_timeout da-csv-fetch date date_us distcc_body distcc_param
    dst dst_conn dst_is_local dst_port dump_all_vars env fc.timer.handshake fc.timer.total
    fc_dst fc_dst_is_local fc_dst_port fc_err fc_err_name fc_err_str fc_fackets fc_glitches
    fc_http_major fc_lost fc_nb_streams fc_pp_authority fc_pp_tlv fc_pp_unique_id fc_rcvd_proxy
    fc_reordering fc_retrans fc_rtt fc_rttvar fc_sacked fc_saved_syn fc_settings_streams_limit
    fc_src fc_src_is_local fc_src_port fc_unacked fcgi.docroot fcgi.index fe_client_timeout
    fe_conn fe_defbe fe_id fe_name fe_req_rate fe_sess_rate fe_tarpit_timeout fs.aborted
    fs.debug_str fs.id fs.rst_code hdr hdr_cnt hdr_ip hdr_val hostname http_auth
    http_auth_bearer http_auth_group http_auth_pass http_auth_type http_auth_user
    http_first_req int internal.htx.data internal.htx.free internal.htx.free_data
    internal.htx.has_eom internal.htx.nbblks internal.htx.size internal.htx.used
    internal.htx_blk.data internal.htx_blk.hdrname internal.htx_blk.hdrval
    internal.htx_blk.size internal.htx_blk.start_line internal.htx_blk.type
    internal.strm.is_htx ipv4 ipv6 last_entity last_rule_file last_rule_line lat_ns_avg
    lat_ns_tot meth method nbproc nbsrv path pathq payload payload_lv pid prio_class
    prio_offset proc query queue quic_enabled rand rdp_cookie rdp_cookie_cnt rep_ssl_hello_type
    req.body req.body_len req.body_param req.body_size req.bytes_in req.bytes_out req.cook
    req.cook_cnt req.cook_names req.cook_val req.fhdr req.fhdr_cnt req.hdr req.hdr_cnt
    req.hdr_ip req.hdr_names req.hdr_val req.hdrs req.hdrs_bin req.len req.payload
    req.payload_lv req.proto_http req.rdp_cookie req.rdp_cookie_cnt req.ssl_alpn
    req.ssl_cipherlist req.ssl_ec_ext req.ssl_hello_type req.ssl_keyshare_groups
    req.ssl_sigalgs req.ssl_sni req.ssl_st_ext req.ssl_supported_groups req.ssl_ver
    req.timer.hdr req.timer.idle req.timer.queue req.timer.tq req.ver req_len req_proto_http
    req_ssl_hello_type req_ssl_sni req_ssl_ver req_ver request_date res.body res.body_len
    res.body_size res.bytes_in res.bytes_out res.cache_hit res.cache_name res.comp
    res.comp_algo res.cook res.cook_cnt res.cook_names res.cook_val res.fhdr res.fhdr_cnt
    res.hdr res.hdr_cnt res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin res.len
    res.payload res.payload_lv res.ssl_hello_type res.timer.data res.timer.hdr res.ver resp_ver
    sc0_bytes_in_rate sc0_bytes_out_rate sc0_clr_gpc0 sc0_clr_gpc1 sc0_conn_cnt sc0_conn_cur
    sc0_conn_rate sc0_get_gpc0 sc0_get_gpc1 sc0_get_gpt0 sc0_glitch_cnt sc0_glitch_rate
    sc0_gpc0_rate sc0_gpc1_rate sc0_http_err_cnt sc0_http_err_rate sc0_http_fail_cnt
    sc0_http_fail_rate sc0_http_req_cnt sc0_http_req_rate sc0_inc_gpc0 sc0_inc_gpc1
    sc0_kbytes_in sc0_kbytes_out sc0_key sc0_sess_cnt sc0_sess_rate sc0_tracked sc0_trackers
    sc1_bytes_in_rate sc1_bytes_out_rate sc1_clr_gpc sc1_clr_gpc0 sc1_clr_gpc1 sc1_conn_cnt
    sc1_conn_cur sc1_conn_rate sc1_get_gpc0 sc1_get_gpc1 sc1_get_gpt0 sc1_glitch_cnt
    sc1_glitch_rate sc1_gpc0_rate sc1_gpc1_rate sc1_http_err_cnt sc1_http_err_rate
    sc1_http_fail_cnt sc1_http_fail_rate sc1_http_req_cnt sc1_http_req_rate sc1_inc_gpc0
    sc1_inc_gpc1 sc1_kbytes_in sc1_kbytes_out sc1_key sc1_sess_cnt sc1_sess_rate sc1_tracked
    sc1_trackers sc2_bytes_in_rate sc2_bytes_out_rate sc2_clr_gpc0 sc2_clr_gpc1 sc2_conn_cnt
    sc2_conn_cur sc2_conn_rate sc2_get_gpc0 sc2_get_gpc1 sc2_get_gpt0 sc2_glitch_cnt
    sc2_glitch_rate sc2_gpc0_rate sc2_gpc1_rate sc2_http_err_cnt sc2_http_err_rate
    sc2_http_fail_cnt sc2_http_fail_rate sc2_http_req_cnt sc2_http_req_rate sc2_inc_gpc0
    sc2_inc_gpc1 sc2_kbytes_in sc2_kbytes_out sc2_key sc2_sess_cnt sc2_sess_rate sc2_tracked
    sc2_trackers sc_bytes_in_rate sc_bytes_out_rate sc_clr_gpc sc_clr_gpc0 sc_clr_gpc1
    sc_conn_cnt sc_conn_cur sc_conn_rate sc_get_gpc sc_get_gpc0 sc_get_gpc1 sc_get_gpt
    sc_get_gpt0 sc_glitch_cnt sc_glitch_rate sc_gpc0_rate sc_gpc1_rate sc_gpc_rate
    sc_http_err_cnt sc_http_err_rate sc_http_fail_cnt sc_http_fail_rate sc_http_req_cnt
    sc_http_req_rate sc_inc_gpc sc_inc_gpc0 sc_inc_gpc1 sc_kbytes_in sc_kbytes_out sc_key
    sc_sess_cnt sc_sess_rate sc_tracked sc_trackers scook scook_cnt scook_val server_status
    shards shdr shdr_cnt shdr_ip shdr_val so_id so_name spoe.engine-id src src_bytes_in_rate
    src_bytes_out_rate src_clr_gpc src_clr_gpc0 src_clr_gpc1 src_conn_cnt src_conn_cur
    src_conn_rate src_get_gpc src_get_gpc0 src_get_gpc1 src_get_gpt src_get_gpt0 src_glitch_cnt
    src_glitch_rate src_gpc0_rate src_gpc1_rate src_gpc_rate src_http_err_cnt src_http_err_rate
    src_http_fail_cnt src_http_fail_rate src_http_req_cnt src_http_req_rate src_inc_gpc
    src_inc_gpc0 src_inc_gpc1 src_is_local src_kbytes_in src_kbytes_out src_port src_sess_cnt
    src_sess_rate src_updt_conn_cnt srv_conn srv_conn_free srv_id srv_is_up srv_iweight
    srv_name srv_queue srv_sess_rate srv_uweight srv_weight ssl_bc ssl_bc_alg_keysize
    ssl_bc_alpn ssl_bc_cipher ssl_bc_client_early_traffic_secret
    ssl_bc_client_handshake_traffic_secret ssl_bc_client_random ssl_bc_client_traffic_secret_0
    ssl_bc_curve ssl_bc_early_exporter_secret ssl_bc_err ssl_bc_err_str ssl_bc_exporter_secret
    ssl_bc_is_resumed ssl_bc_npn ssl_bc_protocol ssl_bc_server_handshake_traffic_secret
    ssl_bc_server_random ssl_bc_server_traffic_secret_0 ssl_bc_session_id ssl_bc_session_key
    ssl_bc_sni ssl_bc_unique_id ssl_bc_use_keysize ssl_c_ca_err ssl_c_ca_err_depth
    ssl_c_chain_der ssl_c_der ssl_c_err ssl_c_i_dn ssl_c_key_alg ssl_c_notafter ssl_c_notbefore
    ssl_c_policies ssl_c_r_dn ssl_c_s_dn ssl_c_san ssl_c_serial ssl_c_sha1 ssl_c_sig_alg
    ssl_c_used ssl_c_verify ssl_c_version ssl_f_der ssl_f_i_dn ssl_f_key_alg ssl_f_notafter
    ssl_f_notbefore ssl_f_s_dn ssl_f_serial ssl_f_sha1 ssl_f_sig_alg ssl_f_version ssl_fc
    ssl_fc_alg_keysize ssl_fc_alpn ssl_fc_cipher ssl_fc_cipherlist_bin ssl_fc_cipherlist_hex
    ssl_fc_cipherlist_str ssl_fc_cipherlist_xxh ssl_fc_client_early_traffic_secret
    ssl_fc_client_handshake_traffic_secret ssl_fc_client_random ssl_fc_client_traffic_secret_0
    ssl_fc_crtname ssl_fc_curve ssl_fc_early_exporter_secret ssl_fc_early_rcvd
    ssl_fc_ecformats_bin ssl_fc_ech_outer_sni ssl_fc_ech_status ssl_fc_eclist_bin ssl_fc_err
    ssl_fc_err_str ssl_fc_exporter_secret ssl_fc_extlist_bin ssl_fc_has_crt ssl_fc_has_early
    ssl_fc_has_sni ssl_fc_is_resumed ssl_fc_npn ssl_fc_protocol ssl_fc_protocol_hello_id
    ssl_fc_server_handshake_traffic_secret ssl_fc_server_random ssl_fc_server_traffic_secret_0
    ssl_fc_session_id ssl_fc_session_key ssl_fc_sigalgs_bin ssl_fc_sni
    ssl_fc_supported_versions_bin ssl_fc_unique_id ssl_fc_use_keysize ssl_ocsp_certid
    ssl_ocsp_certname ssl_ocsp_fail_cnt ssl_ocsp_status ssl_ocsp_status_str
    ssl_ocsp_success_cnt ssl_s_chain_der ssl_s_der ssl_s_i_dn ssl_s_key_alg ssl_s_notafter
    ssl_s_notbefore ssl_s_s_dn ssl_s_serial ssl_s_sha1 ssl_s_sig_alg ssl_s_version status
    stopping str table_avl table_cnt term_events tgroup thread txn.conn_retries txn.id32
    txn.redispatched txn.sess_term_state txn.status txn.timer.total txn.timer.user unique-id
    uptime url url32 url32+src url_ip url_param url_port urlp urlp_val uuid var wait_end
    waiting_entity wurfl-get wurfl-get-all
    """
)
# ACL keywords that are not sample fetches (``path_beg``, ``hdr_sub``...).
_ACL_KEYWORDS = _words(
    """
    base_beg base_dir base_dom base_end base_len base_reg base_sub cook_beg cook_dir cook_dom
    cook_end cook_len cook_reg cook_sub hdr_beg hdr_dir hdr_dom hdr_end hdr_len hdr_reg hdr_sub
    path_beg path_dir path_dom path_end path_len path_reg path_sub req_rdp_cookie
    req_rdp_cookie_cnt scook_beg scook_dir scook_dom scook_end scook_len scook_reg scook_sub
    shdr_beg shdr_dir shdr_dom shdr_end shdr_len shdr_reg shdr_sub ssl_fc_sni_end
    ssl_fc_sni_reg url_beg url_dir url_dom url_end url_len url_reg url_sub urlp_beg urlp_dir
    urlp_dom urlp_end urlp_len urlp_reg urlp_sub
    """
)
# Fetches that read the response: refused in request rules (2.6 table, same since).
_NOT_DURING_REQUEST = _words(
    """
    bc_dst bc_dst_port bc_err bc_err_str bc_http_major bc_src bc_src_port capture.res.hdr
    rep_ssl_hello_type res.body res.body_len res.body_size res.cache_hit res.cache_name
    res.comp res.comp_algo res.cook res.cook_cnt res.cook_val res.fhdr res.fhdr_cnt res.hdr
    res.hdr_cnt res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin res.len res.payload
    res.payload_lv res.ssl_hello_type res.ver resp_ver scook scook_cnt scook_val shdr shdr_cnt
    shdr_ip shdr_val srv_id srv_name ssl_bc ssl_bc_alg_keysize ssl_bc_alpn ssl_bc_cipher
    ssl_bc_client_random ssl_bc_err ssl_bc_err_str ssl_bc_is_resumed ssl_bc_npn ssl_bc_protocol
    ssl_bc_server_random ssl_bc_session_id ssl_bc_session_key ssl_bc_unique_id
    ssl_bc_use_keysize status
    """
)
# Fetches that read the request message: refused in response rules.
_NOT_DURING_RESPONSE = _words(
    """
    base base32 base32+src baseq cook cook_cnt cook_val fcgi.docroot fcgi.index hdr_cnt hdr_ip
    hdr_val http_auth http_auth_bearer http_auth_group http_auth_pass http_auth_type
    http_auth_user path pathq query rdp_cookie rdp_cookie_cnt req.body req.body_len
    req.body_param req.body_size req.cook req.cook_cnt req.cook_val req.fhdr req.fhdr_cnt
    req.hdr req.hdr_cnt req.hdr_ip req.hdr_names req.hdr_val req.hdrs req.hdrs_bin req.len
    req.payload req.payload_lv req.rdp_cookie req.rdp_cookie_cnt req.ssl_alpn req.ssl_ec_ext
    req.ssl_hello_type req.ssl_sni req.ssl_st_ext req.ssl_ver req.ver req_len
    req_ssl_hello_type req_ssl_sni req_ssl_ver req_ver url url32 url32+src url_ip url_param
    url_port urlp urlp_val
    """
)
# Server keywords without a value, and with one (2.6-3.4); 'source' takes several.
_SERVER_FLAGS = _words(
    """
    agent-check allow-0rtt backup check check-reuse-pool check-send-proxy check-sni-auto
    check-ssl check-via-socks4 disabled enabled force-sslv3 force-tlsv10 force-tlsv11
    force-tlsv12 force-tlsv13 no-agent-check no-backup no-check no-check-reuse-pool
    no-check-send-proxy no-check-sni-auto no-check-ssl no-renegotiate no-send-proxy
    no-send-proxy-v2 no-send-proxy-v2-ssl no-send-proxy-v2-ssl-cn no-sni-auto no-ssl
    no-ssl-reuse no-sslv3 no-tfo no-tls-tickets no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13
    non-stick renegotiate send-proxy send-proxy-v2 send-proxy-v2-ssl send-proxy-v2-ssl-cn
    set-proxy-v2-tlv-fmt sni-auto ssl ssl-reuse stick strict-maxconn tfo tls-tickets usesrc
    """
)
_SERVER_WITH_VALUE = _words(
    """
    from name
    addr agent-addr agent-inter agent-port agent-send alpn ca-file cc check-alpn
    check-pool-conn-name check-proto check-sni ciphers ciphersuites client-sigalgs cookie
    crl-file crt curves downinter error-limit fall fastinter guid hash-key healthcheck id
    idle-ping init-addr init-state inter ktls log-bufsize log-proto max-reuse maxconn maxqueue
    minconn namespace npn observe on-error on-marked-down on-marked-up pool-conn-name
    pool-low-conn pool-max-conn pool-purge-delay port proto proxy-v2-options quic-cc-algo redir
    resolve-net resolve-opts resolve-prefer resolvers rise shard sigalgs slowstart sni socks4
    ssl-max-ver ssl-min-ver tcp-md5sig tcp-ut track verify verifyhost weight ws
    """
)
# Fetches a log-format line cannot use (2.6 table, same since).
_NOT_IN_LOGS = _words(
    """
    base base32 base32+src baseq cook cook_cnt cook_val cookie distcc_body distcc_param
    fcgi.docroot fcgi.index hdr hdr_cnt hdr_ip hdr_val http_auth http_auth_bearer
    http_auth_group http_auth_pass http_auth_type http_auth_user internal.htx.data
    internal.htx.free internal.htx.free_data internal.htx.has_eom internal.htx.nbblks
    internal.htx.size internal.htx.used internal.htx_blk.data internal.htx_blk.hdrname
    internal.htx_blk.hdrval internal.htx_blk.size internal.htx_blk.start_line
    internal.htx_blk.type path pathq payload payload_lv query rdp_cookie rdp_cookie_cnt
    rep_ssl_hello_type req.body req.body_len req.body_param req.body_size req.cook req.cook_cnt
    req.cook_val req.fhdr req.fhdr_cnt req.hdr req.hdr_cnt req.hdr_ip req.hdr_names req.hdr_val
    req.hdrs req.hdrs_bin req.len req.payload req.payload_lv req.rdp_cookie req.rdp_cookie_cnt
    req.ssl_alpn req.ssl_ec_ext req.ssl_hello_type req.ssl_sni req.ssl_st_ext req.ssl_ver
    req.ver req_len req_ssl_hello_type req_ssl_sni req_ssl_ver req_ver res.body res.body_len
    res.body_size res.cook res.cook_cnt res.cook_val res.fhdr res.fhdr_cnt res.hdr res.hdr_cnt
    res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin res.len res.payload
    res.payload_lv res.ssl_hello_type res.ver resp_ver scook scook_cnt scook_val shdr shdr_cnt
    shdr_ip shdr_val url url32 url32+src url_ip url_param url_port urlp urlp_val
    """
)
_MESSAGE_OF = {"request": "the HTTP request", "response": "the HTTP response"}
_SERVER_VARIADIC = ("source", "set-proxy-v2-tlv-fmt(")


# --- entry points ----------------------------------------------------------------------------


def missing_final_newline(path: str, text: str) -> ParseError | None:
    """HAProxy refuses a file whose last line does not end with a line feed (every version)."""
    if not text or text.endswith("\n"):
        return None
    line = text.count("\n") + 1
    last = text[text.rfind("\n") + 1 :]
    return ParseError(
        Span(path, line, len(last) + 1),
        "missing LF on the last line: HAProxy reads the file as truncated and refuses it "
        "(end the file with a newline)",
    )


def refusals(
    path: str, sections: tuple[Section, ...], proxies: list[Proxy] | None = None
) -> list[ParseError]:
    """What ``haproxy -c`` of 2.6 and later refuses in these sections, in file order;
    ``proxies``: those of these very sections when already resolved."""
    checker = _Checker(path, sections, proxies)
    checker.run()
    return sorted(checker.errors, key=lambda e: (e.span.line, e.span.column))


# --- the checker -----------------------------------------------------------------------------


class _Checker:
    """One pass over the sections, then the references between proxies."""

    def __init__(
        self, path: str, sections: tuple[Section, ...], proxies: list[Proxy] | None
    ) -> None:
        self.path = path
        self.sections = sections
        self.errors: list[ParseError] = []
        self.seen: set[tuple[int, int]] = set()
        self.proxies = proxies if proxies is not None else resolve_proxies(path, sections)[0]
        self.backends: dict[str, Proxy] = {}  # the first backend or listen of each name
        for proxy in self.proxies:
            if proxy.section.kind in ("backend", "listen"):
                self.backends.setdefault(proxy.name, proxy)
        self.tables = _tables(sections)

    # reporting

    def error(self, word: Word, reason: str) -> None:
        key = (word.line, word.column)
        if key not in self.seen:
            self.seen.add(key)
            self.errors.append(ParseError(Span(self.path, word.line, word.column), reason))

    def run(self) -> None:
        for section in self.sections:
            self.negations(section)
            if section.kind == "global":
                self.global_section(section)
            elif section.kind in ("defaults", "frontend", "backend", "listen"):
                self.proxy_section(section)
        self.duplicate_proxies()
        self.defaults_with_rules()
        for proxy in self.proxies:
            self.references(proxy)

    def negations(self, section: Section) -> None:
        for statement in _checked(section.statements):
            words = statement.words
            if statement.keyword not in ("no", "default") or words[0].quoted:
                continue
            if len(words) < 2 or words[1].text not in _NEGATABLE_KEYWORDS:
                self.error(
                    words[0],
                    f"'{statement.keyword}' (negation/default) is only supported for options, "
                    "log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and "
                    "numa-cpu-mapping",
                )
            elif (
                words[1].text == "option"
                and len(words) > 2
                and words[2].text in _NOT_NEGATABLE_OPTIONS
            ):
                self.error(
                    words[0],
                    f"negation/default is not supported for option '{words[2].text}'",
                )

    # global

    def global_section(self, section: Section) -> None:
        for statement in _checked(section.statements):
            removed = _GLOBAL_REMOVED.get(statement.keyword)
            if removed is not None:
                version, instead = removed
                self.error(
                    statement.words[0],
                    f"'{statement.keyword}' is not supported any more since HAProxy "
                    f"{version}; use {instead}",
                )

    # proxy sections

    def proxy_section(self, section: Section) -> None:
        self.header(section)
        acls = {s.args[0] for s in section.statements if s.blocks and s.keyword == "acl" and s.args}
        servers: dict[str, Statement] = {}
        table: Statement | None = None
        for statement in section.statements:
            if statement.blocks:
                continue
            keyword = statement.keyword
            if not self.keyword(section, statement):
                continue
            if keyword in _CONDITION_KEYWORDS:
                self.condition(section, statement, acls)
            if keyword == "acl":
                self.acl(statement, acls)
            elif keyword in ("server", "server-template"):
                self.server(section, statement, servers)
            elif keyword == "stick-table":
                if table is not None:
                    self.error(
                        statement.words[0],
                        f"stick-table name '{section.name}' conflicts with the table declared "
                        f"at line {table.line}: one stick-table per proxy",
                    )
                table = statement
                self.stick_table(statement)
            else:
                self.statement(section, statement)

    def header(self, section: Section) -> None:
        words = section.header.words
        if section.kind == "defaults":
            return
        if section.name is None:
            self.error(words[0], f"'{section.kind}' expects a name (<id>) argument")
            return
        self.name_chars(words[1], f"'{section.kind}' name")
        rest = words[2:]
        if rest and not (len(rest) == 2 and rest[0].text == "from"):
            if section.kind == "backend":
                reason = f"'backend' cannot handle unexpected argument '{rest[0].text}'"
            else:
                reason = (
                    f"please use the 'bind' keyword for listening addresses ('{rest[0].text}' "
                    f"on the '{section.kind}' line; HAProxy 1.x syntax)"
                )
            self.error(rest[0], reason)

    def name_chars(self, word: Word, what: str) -> None:
        if word.env or _NAME.fullmatch(word.text):
            return
        bad = next((c for c in word.text if not _NAME_CHAR.fullmatch(c)), None)
        if bad is not None:
            self.error(word, f"character '{bad}' is not permitted in {what} '{word.text}'")

    def keyword(self, section: Section, statement: Statement) -> bool:
        """Check the keyword itself; False when the statement is refused (or not checkable)."""
        word = statement.words[0]
        keyword = word.text
        if word.env:
            return False
        if keyword in _REMOVED_KEYWORDS:
            version, instead = _REMOVED_KEYWORDS[keyword]
            self.error(
                word,
                f"'{keyword}' is not supported any more since HAProxy {version}: use {instead}",
            )
            return False
        if keyword not in _PROXY_KEYWORDS:
            self.error(word, _unknown(keyword, section.kind))
            return False
        if section.kind == "defaults" and not self.allowed_in_defaults(section, statement):
            return False
        if section.kind == "frontend" and keyword in ("server", "server-template"):
            self.error(
                word,
                f"'{keyword}' not allowed because frontend '{section.name}' has no backend "
                "capability (servers belong in a backend or listen section)",
            )
            return False
        return True

    def allowed_in_defaults(self, section: Section, statement: Statement) -> bool:
        keyword, args = statement.keyword, statement.args
        if keyword in _NOT_IN_DEFAULTS or (
            keyword == "capture" and args and args[0] in ("cookie", "request", "response")
        ):
            shown = f"{keyword} {args[0]}" if keyword == "capture" else keyword
            self.error(statement.words[0], f"'{shown}' not allowed in a 'defaults' section")
            return False
        if keyword in _NOT_IN_ANONYMOUS_DEFAULTS and not section.name:
            self.error(
                statement.words[0],
                f"'{keyword}' not allowed in an anonymous 'defaults' section (name the "
                "defaults section and refer to it with 'from')",
            )
            return False
        return True

    def statement(self, section: Section, statement: Statement) -> None:
        keyword = statement.keyword
        if keyword in ("no", "default"):
            self.negated(statement)
        elif keyword == "option":
            self.option(statement.words, 1)
        elif keyword == "mode":
            self.mode(statement)
        elif keyword == "balance":
            self.balance(statement)
        elif keyword == "cookie":
            self.cookie(statement)
        elif keyword == "timeout":
            self.timeout(statement)
        elif keyword == "stick":
            self.stick(statement)
        elif keyword in ("use_backend", "default_backend"):
            self.backend_rule(statement)
        elif keyword in ("http-request", "http-response", "http-after-response"):
            self.http_rule(section, statement)
        elif keyword == "default-server":
            self.server_params(statement.words[1:], "'default-server'")
        elif keyword in ("log-format", "log-format-sd", "error-log-format"):
            self.formats(statement.words[1:], "logs", f"'{keyword}'")
        elif keyword == "hash-type":
            self.hash_type(statement)
        elif keyword in ("monitor-uri", "stats"):
            self.uri(statement)

    # keyword by keyword

    def negated(self, statement: Statement) -> None:
        words = statement.words
        if len(words) > 1 and words[1].text == "option":
            if len(words) == 2:
                self.error(words[1], "'option' expects an option name")
            self.option(words, 2)

    def hash_type(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2 or words[1].env:
            if len(words) < 2:
                self.error(words[0], "'hash-type' only supports 'consistent' and 'map-based'")
            return
        if words[1].text not in ("consistent", "map-based"):
            self.error(words[1], "'hash-type' only supports 'consistent' and 'map-based'")

    def uri(self, statement: Statement) -> None:
        """``monitor-uri <uri>`` and ``stats uri <prefix>`` need their URI."""
        words = statement.words
        if statement.keyword == "monitor-uri" and len(words) < 2:
            self.error(words[0], "'monitor-uri' expects an URI")
        elif statement.keyword == "stats" and len(words) == 2 and words[1].text == "uri":
            self.error(words[1], "'uri' needs an URI prefix")

    def option(self, words: tuple[Word, ...], index: int) -> None:
        if index >= len(words) or words[index].env:
            return
        word = words[index]
        name = word.text
        if name in _REMOVED_OPTIONS:
            version, instead = _REMOVED_OPTIONS[name]
            self.error(
                word,
                f"option '{name}' is not supported any more since HAProxy {version}: {instead}",
            )
        elif name not in _OPTIONS:
            self.error(word, f"unknown option '{name}'{_did_you_mean(name, _OPTIONS)}")

    def mode(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2:
            self.error(words[0], "unknown proxy mode '' (tcp or http)")
            return
        if words[1].env:
            return
        value = words[1].text
        if value == "health":
            self.error(
                words[1],
                "'mode health' is not supported any more since HAProxy 2.3: use "
                "'http-request return status 200' (or 'monitor-uri')",
            )
        elif value not in _MODES:
            self.error(words[1], f"unknown proxy mode '{value}' (tcp or http)")

    def balance(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2 or words[1].env:
            return
        value = words[1].text
        name = value.split("(", 1)[0]
        if name not in _BALANCE:
            self.error(
                words[1],
                f"unknown balance algorithm '{value}'{_did_you_mean(name, _BALANCE)}",
            )
        elif value == "hdr" or (name == "hdr" and not value.endswith(")")):
            self.error(words[1], "'balance hdr' needs the header name: 'balance hdr(<name>)'")
        elif name == "hash" and len(words) < 3:
            self.error(words[1], "'balance hash' needs a sample expression")
        elif name == "hash":
            self.fetch(words[2], "'balance hash'")
        elif name == "uri":
            self.uri_options(words[2:])

    def uri_options(self, words: tuple[Word, ...]) -> None:
        """``balance uri [len N] [depth N] [whole] [path-only]``: a count after len/depth."""
        for index, word in enumerate(words):
            if word.text in ("len", "depth"):
                value = words[index + 1].text if index + 1 < len(words) else ""
                if not value.isdigit() or int(value) == 0:
                    self.error(
                        word,
                        f"balance uri: '{word.text}' expects a positive integer (got '{value}')",
                    )
                    return

    def cookie(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2:
            self.error(words[0], "'cookie' expects <cookie_name> as argument")
            return
        modes: list[Word] = []
        i = 2
        while i < len(words):
            word = words[i]
            if word.env:
                return
            if word.text in _COOKIE_MODES:
                modes.append(word)
            elif word.text in _COOKIE_WITH_VALUE:
                if i + 1 >= len(words):
                    self.error(word, f"'cookie': '{word.text}' expects a value as argument")
                    return
                value = words[i + 1]
                if (
                    word.text in ("maxidle", "maxlife")
                    and not value.env
                    and not is_haproxy_time(value.text)
                ):
                    self.error(value, f"'cookie': '{word.text}' expects a time in seconds")
                    return
                i += 1
            elif word.text not in _COOKIE_FLAGS:
                self.error(
                    word,
                    f"'cookie' does not support the option '{word.text}' (rewrite, insert, "
                    "prefix, indirect, nocache, postonly, preserve, httponly, secure, domain, "
                    "maxidle, maxlife, dynamic, attr)",
                )
                return
            i += 1
        if len({m.text for m in modes}) > 1:
            self.error(
                modes[1],
                f"cookie modes '{modes[0].text}' and '{modes[1].text}' are incompatible: "
                "'rewrite', 'insert' and 'prefix' exclude each other",
            )

    def timeout(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2 or words[1].env:
            return
        name = words[1].text
        if name not in _TIMEOUTS:
            self.error(
                words[1],
                f"unknown timeout '{name}'{_did_you_mean(name, _TIMEOUTS)} ('timeout' supports "
                "client, server, connect, check, queue, http-keep-alive, http-request, tunnel, "
                "tarpit, client-fin and server-fin)",
            )
            return
        if len(words) < 3:
            self.error(words[1], f"'timeout {name}' expects a time value")
            return
        value = words[2]
        if value.env:
            return
        if not is_haproxy_time(value.text):
            self.error(
                value,
                f"invalid time '{value.text}' for 'timeout {name}': an integer with an "
                "optional unit us, ms, s, m, h or d (no decimals, lowercase)",
            )
        elif len(words) > 3:
            self.error(
                words[3],
                f"'timeout {name}': unexpected extra argument '{words[3].text}' after the "
                f"value '{value.text}'",
            )

    def server(self, section: Section, statement: Statement, servers: dict[str, Statement]) -> None:
        words = statement.words
        need = 3 if statement.keyword == "server" else 4
        if len(words) < need:
            what = "<name> and <addr>[:<port>]" if need == 3 else "<prefix> <num|range> <fqdn>"
            self.error(words[0], f"'{statement.keyword}' expects {what} as arguments")
            return
        name = words[1]
        self.name_chars(name, "server name")
        first = servers.get(name.text)
        if first is not None and not name.env:
            self.error(
                name,
                f"{section.kind} '{section.name}': another server named '{name.text}' was "
                f"already defined at line {first.line}; server names must be distinct",
            )
        servers.setdefault(name.text, statement)
        what = f"'server {section.name}/{name.text}'"
        if statement.keyword == "server":
            self.server_port(words[2])
            self.server_params(words[3:], what)
        else:
            self.server_params(words[4:], what)

    def server_port(self, address: Word) -> None:
        if address.env or address.text.startswith(("/", "unix@", "abns@", "fd@", "sockpair@")):
            return
        port = address.text.rpartition(":")[2] if ":" in address.text else ""
        if address.text.startswith("[") and "]" in address.text:
            tail = address.text.rpartition("]")[2]
            port = tail[1:] if tail.startswith(":") else ""
        if port.isdigit() and int(port) > 65535:
            self.error(address, f"invalid port '{port}' in server address '{address.text}'")

    def server_params(self, words: tuple[Word, ...], what: str) -> None:
        i = 0
        while i < len(words):
            word = words[i]
            if word.env or word.text.startswith(_SERVER_VARIADIC):
                return
            if word.text in _SERVER_WITH_VALUE:
                if i + 1 >= len(words):  # HAProxy reads most missing values as empty
                    if word.text == "cookie":
                        self.error(word, f"{what}: 'cookie' expects <value> as argument")
                    return
                i += 2
                continue
            if word.text not in _SERVER_FLAGS:
                known = _SERVER_FLAGS | _SERVER_WITH_VALUE
                self.error(
                    word, f"{what}: unknown keyword '{word.text}'{_did_you_mean(word.text, known)}"
                )
                return
            i += 1

    def stick_table(self, statement: Statement) -> None:
        words = statement.words
        for index, word in enumerate(words):
            if word.text != "type":
                continue
            if index + 1 >= len(words):
                break
            kind = words[index + 1]
            if not kind.env and kind.text not in _TABLE_TYPES:
                self.error(
                    kind,
                    f"stick-table: unknown type '{kind.text}' (ip, ipv6, integer, string or "
                    "binary)",
                )
            return
        self.error(words[0], "stick-table: missing type (type ip|ipv6|integer|string|binary)")

    def stick(self, statement: Statement) -> None:
        words = statement.words
        if len(words) < 2 or words[1].text not in _STICK_ACTIONS:
            where = words[1] if len(words) > 1 else words[0]
            self.error(where, "'stick' expects 'on', 'match', 'store-request' or 'store-response'")
            return
        direction = _STICK_ACTIONS[words[1].text]
        if len(words) < 3:
            self.error(words[1], f"'stick {words[1].text}' expects a fetch method")
            return
        sample = words[2]
        if not self.fetch(sample, f"'stick {words[1].text}'") or sample.env:
            return
        name = _fetch_name(sample.text)
        if direction == "request" and name in _NOT_DURING_REQUEST:
            self.error(
                sample,
                f"'stick {words[1].text}': fetch method '{name}' extracts information from the "
                "HTTP response, which is not available during the request (learn it with "
                f"'stick store-response {sample.text}' and match the request with "
                "'stick on req.cook(...)')",
            )
        elif direction == "response" and name in _NOT_DURING_RESPONSE:
            self.error(
                sample,
                f"'stick store-response': fetch method '{name}' extracts information from the "
                "HTTP request, which is not available for 'store-response' (read the response, "
                "e.g. res.cook(...))",
            )
        rest = list(words[3:])
        if rest and rest[0].text == "table":
            if len(rest) < 2 or rest[1].text in ("if", "unless"):
                self.error(rest[0], "'stick': 'table' expects a stick-table name")
                return
            rest = rest[2:]
        if rest and rest[0].text not in ("if", "unless"):
            self.error(rest[0], f"'stick': unknown keyword '{rest[0].text}'")

    def fetch(self, word: Word, where: str) -> bool:
        """False (and an error) when the sample expression starts with no known fetch."""
        if word.env:
            return True
        name = _fetch_name(word.text)
        if name.startswith("lua.") or name in _FETCHES:
            return True
        self.error(word, f"{where}: unknown fetch method '{name}'{_did_you_mean(name, _FETCHES)}")
        return False

    def backend_rule(self, statement: Statement) -> None:
        words = statement.words
        keyword = statement.keyword
        if len(words) < 2:
            self.error(words[0], f"'{keyword}' expects a backend name")
            return
        if keyword == "default_backend" and len(words) > 2:
            self.error(
                words[2], f"'default_backend' cannot handle unexpected argument '{words[2].text}'"
            )
            return
        if keyword == "use_backend":
            self.formats(words[1:2], "request", "'use_backend'")
            if len(words) > 2 and words[2].text not in ("if", "unless"):
                self.error(
                    words[2],
                    f"unexpected keyword '{words[2].text}' after the switching rule, only 'if' "
                    "and 'unless' are allowed",
                )

    def http_rule(self, section: Section, statement: Statement) -> None:
        words = statement.words
        direction = "request" if statement.keyword == "http-request" else "response"
        body = _before_condition(words[1:])
        where = f"'{statement.keyword} {body[0].text}'" if body else f"'{statement.keyword}'"
        self.formats(body[1:], direction, where)
        if not body:
            return
        action = body[0].text
        sampled = action.startswith("set-var(") or action == "capture"
        if sampled and len(body) > 1 and self.fetch(body[1], where):
            self.direction(body[1], direction, where)
        if _TRACK_SC.fullmatch(action):
            self.track_table(section, statement, body)

    def direction(self, word: Word, direction: str, where: str) -> None:
        if word.env:
            return
        name = _fetch_name(word.text)
        refused = _NOT_DURING_REQUEST if direction == "request" else _NOT_DURING_RESPONSE
        if name in refused:
            other = "response" if direction == "request" else "request"
            self.error(
                word,
                f"{where}: fetch method '{name}' extracts information from "
                f"{_MESSAGE_OF[other]}, which is not available here",
            )

    def formats(self, words: Iterable[Word], direction: str, where: str) -> None:
        """``%[fetch...]`` samples of log-format arguments used where they cannot be read."""
        refused = {
            "request": _NOT_DURING_REQUEST,
            "response": _NOT_DURING_RESPONSE,
            "logs": _NOT_IN_LOGS,
        }[direction]
        for word in words:
            if word.env or "%[" not in word.text:
                continue
            for match in _SAMPLE_IN_FORMAT.finditer(word.text):
                if "]" not in word.text[match.end() :]:
                    self.error(word, f"{where}: missing ']' after '%[{match.group(1)}'")
                    return
                name = match.group(1)
                if not name:
                    self.error(word, f"{where}: missing fetch method in '{word.text}'")
                    return
                if not name.startswith("lua.") and name not in _FETCHES:
                    self.error(word, f"{where}: unknown fetch method '{name}' in '{word.text}'")
                    return
                if name in refused:
                    needs = (
                        "the HTTP message, which is not available in logs"
                        if direction == "logs"
                        else _MESSAGE_OF["response" if direction == "request" else "request"]
                        + ", which is not available here"
                    )
                    self.error(
                        word,
                        f"{where}: sample fetch '{name}' may not be reliably used here because "
                        f"it needs {needs}",
                    )
                    return

    def track_table(self, section: Section, statement: Statement, body: list[Word]) -> None:
        table = _table_argument(body)
        name = table.text if table is not None else section.name or ""
        if table is not None and table.env:
            return
        if name not in self.tables:
            where = table if table is not None else statement.words[0]
            self.error(
                where,
                f"{section.kind} '{section.name}': unable to find table '{name}' referenced by "
                f"{body[0].text}" + ("" if table is not None else " (no stick-table here)"),
            )

    # ACLs and conditions

    def acl(self, statement: Statement, acls: set[str]) -> None:
        words = statement.words
        if len(words) < 2:
            self.error(words[0], "'acl' expects an ACL name")
            return
        self.name_chars(words[1], "acl name")
        acls.add(words[1].text)
        if len(words) < 3:
            self.error(words[1], f"missing fetch method in ACL '{words[1].text}'")
            return
        self.criterion(words[2], f"ACL '{words[1].text}'")

    def criterion(self, word: Word, where: str) -> None:
        if word.env:
            return
        name = _fetch_name(word.text)
        if not name:
            self.error(word, f"{where}: missing fetch method in ACL expression '{word.text}'")
            return
        if name.startswith("lua.") or name in _FETCHES or name in _ACL_KEYWORDS:
            return
        known = _FETCHES | _ACL_KEYWORDS
        self.error(
            word,
            f"{where}: unknown fetch method '{name}' in ACL expression "
            f"'{word.text}'{_did_you_mean(name, known)}",
        )

    def condition(self, section: Section, statement: Statement, acls: set[str]) -> None:
        words = statement.words
        start = next(
            (i for i, w in enumerate(words[1:], 1) if w.text in ("if", "unless") and not w.quoted),
            None,
        )
        if start is None:
            return
        terms = words[start + 1 :]
        i = 0
        while i < len(terms):
            word = terms[i]
            text = word.text
            if word.env or text in ("||", "or", "!"):
                i += 1
                continue
            if text in ("{", "!{"):
                close = next((j for j in range(i + 1, len(terms)) if terms[j].text == "}"), None)
                if close is None:
                    self.error(word, "missing closing '}' in condition")
                    return
                if close == i + 1:
                    self.error(word, "missing fetch method in ACL expression '{ }'")
                    return
                self.criterion(terms[i + 1], "an anonymous ACL")
                i = close + 1
                continue
            name = text[1:] if text.startswith("!") else text
            if name not in acls and name not in _PREDEFINED_ACLS:
                hint = (
                    "; braces of an anonymous ACL are words of their own: '{ path_beg /api }'"
                    if "{" in name or "}" in name
                    else " (an ACL must be declared with 'acl' in this section before it is used)"
                )
                self.error(word, f"no such ACL: '{name}'{hint}")
                return
            i += 1

    # references between proxies

    def duplicate_proxies(self) -> None:
        seen: dict[tuple[str, str], Proxy] = {}
        for proxy in self.proxies:
            if proxy.section.header.blocks:
                continue
            kinds = (
                ("frontend", "backend") if proxy.section.kind == "listen" else (proxy.section.kind,)
            )
            for kind in kinds:
                first = seen.get((kind, proxy.name))
                if first is not None:
                    self.error(
                        proxy.section.header.words[0],
                        f"{proxy.section.kind} '{proxy.name}' has the same name as the "
                        f"{first.section.kind} declared at line {first.section.header.line}",
                    )
                    break
            for kind in kinds:
                seen.setdefault((kind, proxy.name), proxy)

    def defaults_with_rules(self) -> None:
        """A defaults section holding TCP/HTTP rules may serve frontends or backends, not both."""
        users: dict[int, str] = {}  # id of the defaults section -> kind of its first user
        last: Section | None = None
        named: dict[str, Section] = {}
        for section in self.sections:
            if section.kind not in ("defaults", "frontend", "backend", "listen"):
                continue
            parent = None if section.kind == "defaults" else last
            if section.from_name is not None:
                parent = named.get(section.from_name.text)
            if section.kind == "defaults":
                self.inherits_rules(section, parent, users)
                last = section
                if section.name:
                    named[section.name] = section
            else:
                self.inherits_rules(section, parent, users)

    def inherits_rules(
        self, section: Section, parent: Section | None, users: dict[int, str]
    ) -> None:
        if parent is None or not parent.name or section.header.blocks:
            return
        rules = [s for s in parent.statements if s.keyword in _RULE_KEYWORDS]
        if not rules:
            return
        word = section.header.words[0]
        where = f"the defaults section at line {parent.header.line}"
        if section.kind in ("defaults", "listen"):
            self.error(
                word,
                f"a {section.kind} section cannot inherit from a defaults section defining "
                f"TCP/HTTP rules ({where}, rule at line {rules[0].line})",
            )
            return
        first = users.setdefault(id(parent), section.kind)
        if first != section.kind:
            self.error(
                word,
                "frontends and backends cannot inherit from the same defaults section if it "
                f"defines TCP/HTTP rules ({where}, rule at line {rules[0].line})",
            )
            return
        early = [
            s
            for s in rules
            if s.keyword == "tcp-request" and s.args and s.args[0] in ("connection", "session")
        ]
        if section.kind == "backend" and early:
            self.error(
                word,
                "a backend section cannot inherit from a defaults section defining "
                f"'tcp-request {early[0].args[0]}' rules ({where}, line {early[0].line})",
            )

    def references(self, proxy: Proxy) -> None:
        kind = proxy.section.kind
        if kind in ("backend", "listen"):
            self.stick_tables(proxy)
            self.use_servers(proxy)
        if kind not in ("frontend", "listen"):
            return
        origins = proxy.origins("default_backend")
        if len(origins) == 1 and not origins[0].statement.blocks:
            origin = origins[0]
            if len(origin.statement.words) == 2:
                self.target(proxy, origin.statement.words[1], "default_backend", origin)
        for statement in proxy.statements:
            words = statement.words
            if statement.keyword == "use_backend" and not statement.blocks and len(words) > 1:
                self.target(proxy, words[1], "use_backend", None)

    def target(self, proxy: Proxy, word: Word, rule: str, origin: Origin | None) -> None:
        name = word.text
        if word.env or "%[" in name:
            return
        if name == proxy.name and proxy.section.kind == "listen":
            self.error(word, f"proxy '{proxy.name}': loop detected for {rule} '{name}'")
            return
        backend = self.backend(name)
        inherited = ""
        if origin is not None and origin.defaults is not None:
            inherited = f" (inherited by {proxy.section.kind} '{proxy.name}')"
        if backend is None:
            self.error(
                word,
                f"{proxy.section.kind} '{proxy.name}': unable to find the {rule} '{name}'"
                f"{inherited}; no backend or listen section has that name",
            )
            return
        # The backend's mode first: a tcp backend is rare, and a frontend names thousands.
        if self.mode_of(backend) == "tcp" and self.mode_of(proxy) == "http":
            self.error(
                word,
                f"http {proxy.section.kind} '{proxy.name}' (line {proxy.section.header.line}) "
                f"tries to use the incompatible tcp backend '{name}' (line "
                f"{backend.section.header.line}) in its {rule}{inherited} (see 'mode')",
            )

    def backend(self, name: str) -> Proxy | None:
        return self.backends.get(name)

    @staticmethod
    def mode_of(proxy: Proxy) -> str | None:
        """The effective mode, or None when ``.if`` branches leave it open."""
        origins = proxy.origins("mode")
        if len(origins) > 1 or any(o.statement.blocks for o in origins):
            return None
        return proxy.mode()

    def stick_tables(self, proxy: Proxy) -> None:
        for statement in proxy.statements:
            words = statement.words
            if statement.keyword != "stick" or statement.blocks or len(words) < 3:
                continue
            if words[1].text not in _STICK_ACTIONS or words[2].env:
                continue
            table = _table_argument(list(words[3:]))
            if table is not None and table.env:
                continue
            name = table.text if table is not None else proxy.name
            if name not in self.tables:
                self.error(
                    table or words[0],
                    f"{proxy.section.kind} '{proxy.name}': unable to find stick-table "
                    f"'{name}'"
                    + (
                        ""
                        if table is not None
                        else " (no 'stick-table' in this section and no 'table' argument)"
                    ),
                )

    def use_servers(self, proxy: Proxy) -> None:
        servers = {
            s.words[1].text
            for s in proxy.statements
            if s.keyword in ("server", "server-template") and len(s.words) > 1
        }
        if any(s.keyword == "server-template" for s in proxy.statements):
            return
        for statement in proxy.statements:
            words = statement.words
            if statement.keyword != "use-server" or statement.blocks or len(words) < 2:
                continue
            if words[1].env or "%[" in words[1].text:
                continue
            if words[1].text not in servers:
                self.error(
                    words[1],
                    f"proxy '{proxy.name}': unable to find server '{words[1].text}' referenced "
                    "in a 'use-server' rule",
                )


# --- helpers ---------------------------------------------------------------------------------


def _checked(statements: Iterable[Statement]) -> list[Statement]:
    return [s for s in statements if not s.blocks]


def _tables(sections: tuple[Section, ...]) -> set[str]:
    """Every stick-table name: a proxy with a ``stick-table``, ``<peers>/<table>``."""
    tables: set[str] = set()
    for section in sections:
        if section.kind in ("frontend", "backend", "listen") and section.name:
            if any(s.keyword == "stick-table" for s in section.statements):
                tables.add(section.name)
        elif section.kind == "peers" and section.name:
            for statement in section.statements:
                if statement.keyword == "table" and statement.args:
                    tables.add(f"{section.name}/{statement.args[0]}")
    return tables


def _table_argument(words: list[Word]) -> Word | None:
    for index, word in enumerate(words[:-1]):
        if word.text in ("if", "unless"):
            return None
        if word.text == "table":
            return words[index + 1]
    return None


def _before_condition(words: tuple[Word, ...]) -> list[Word]:
    body: list[Word] = []
    for word in words:
        if word.text in ("if", "unless") and not word.quoted:
            break
        body.append(word)
    return body


def _fetch_name(text: str) -> str:
    """The fetch of a sample expression: ``req.cook(JSESSIONID),lower`` -> ``req.cook``."""
    return re.split(r"[(,]", text, maxsplit=1)[0]


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown(keyword: str, kind: str) -> str:
    hint = _FORGOTTEN_KEYWORDS.get(keyword)
    if hint is not None:
        return f"unknown keyword '{keyword}' in '{kind}' section (removed long ago: use {hint})"
    return (
        f"unknown keyword '{keyword}' in '{kind}' section{_did_you_mean(keyword, _PROXY_KEYWORDS)}"
    )
