// format.js — pure formatting helpers shared by the page and the chart builders.
// No DOM. Everything here is deterministic (fixed locale, UTC) so unit tests and screenshots
// do not depend on the machine's settings.

const PROTOCOLS = {
  0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 4: 'IPv4', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE',
  50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 112: 'VRRP', 132: 'SCTP',
};

// Well-known ports worth naming in plain-English findings and chart labels.
const PORTS = {
  20: 'FTP data', 21: 'FTP', 22: 'SSH', 23: 'Telnet', 25: 'SMTP', 53: 'DNS', 67: 'DHCP',
  80: 'HTTP', 110: 'POP3', 111: 'RPC', 123: 'NTP', 135: 'MS RPC', 137: 'NetBIOS',
  139: 'NetBIOS', 143: 'IMAP', 161: 'SNMP', 389: 'LDAP', 443: 'HTTPS', 445: 'SMB',
  465: 'SMTPS', 500: 'IKE', 514: 'Syslog', 587: 'SMTP', 636: 'LDAPS', 993: 'IMAPS',
  995: 'POP3S', 1433: 'MS SQL', 1521: 'Oracle', 2049: 'NFS', 2375: 'Docker', 2379: 'etcd',
  3306: 'MySQL', 3389: 'RDP', 4500: 'IPsec NAT-T', 5432: 'PostgreSQL', 5439: 'Redshift',
  5601: 'Kibana', 5900: 'VNC', 5985: 'WinRM', 6379: 'Redis', 6443: 'Kubernetes API',
  8080: 'HTTP alt', 8443: 'HTTPS alt', 9092: 'Kafka', 9200: 'Elasticsearch',
  11211: 'Memcached', 27017: 'MongoDB',
};

const FIELD_LABELS = {
  srcaddr: 'Source', dstaddr: 'Destination', conversation: 'Conversation',
  srcport: 'Source port', dstport: 'Destination port', protocol: 'Protocol',
  'interface-id': 'Interface', 'account-id': 'Account', 'vpc-id': 'VPC',
  'subnet-id': 'Subnet', 'instance-id': 'Instance', 'tcp-flags': 'TCP flags', type: 'IP type',
  'pkt-srcaddr': 'Packet source', 'pkt-dstaddr': 'Packet destination', region: 'Region',
  'az-id': 'Availability zone', 'sublocation-type': 'Sublocation type',
  'sublocation-id': 'Sublocation', 'pkt-src-aws-service': 'Source AWS service',
  'pkt-dst-aws-service': 'Destination AWS service', 'flow-direction': 'Direction',
  'traffic-path': 'Traffic path', 'reject-reason': 'Reject reason', action: 'Action',
  'log-status': 'Log status', 'ecs-cluster-name': 'ECS cluster', 'ecs-service-name': 'ECS service',
  'ecs-task-id': 'ECS task', 'resource-id': 'Resource', 'encryption-status': 'Encryption',
  'tgw-id': 'Transit gateway', 'tgw-attachment-id': 'TGW attachment', file: 'File',
};

const TRAFFIC_PATHS = {
  1: 'same VPC', 2: 'internet or gateway endpoint', 3: 'virtual private gateway',
  4: 'intra-region peering', 5: 'inter-region peering', 6: 'local gateway',
  7: 'gateway endpoint (Nitro)', 8: 'internet gateway (Nitro)',
};

const NUMBER = new Intl.NumberFormat('en-US');

/** Exact integer with comma grouping: 50000 → "50,000". Null/undefined → "–". */
export function formatInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return NUMBER.format(n);
}

/** "1 port", "3 ports" (with comma grouping). */
export function plural(n, word, many = `${word}s`) {
  return `${formatInt(n)} ${n === 1 ? word : many}`;
}

/** Human-readable decimal size (powers of 1000, like the filter's k/M/G): 1534 → "1.5 kB". */
export function formatBytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
  if (i === 0) return `${v} B`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Compact count for axes and cards: 1534 → "1.5k", 2_300_000 → "2.3M". */
export function formatCount(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
  if (i === 0) return String(Math.round(v));
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${units[i]}`;
}

/** A metric value for display: bytes get units, packets and records get grouping. */
export function formatMetric(metric, n) {
  return metric === 'bytes' ? formatBytes(n) : formatInt(n);
}

/** Share as a percentage with sensible precision: 0.0734 → "7.3%", 0.0004 → "0.04%". */
export function formatPercent(part, whole) {
  if (!whole) return '0%';
  const p = (100 * part) / whole;
  if (p === 0) return '0%';
  if (p < 0.1) return `${p.toPrecision(1)}%`;
  if (p < 10) return `${p.toFixed(1)}%`;
  return `${p.toFixed(0)}%`;
}

export function protocolName(num) {
  if (num === null || num === undefined || num === '-' || num === '') return '–';
  const n = Number(num);
  return PROTOCOLS[n] ?? `protocol ${num}`;
}

export function portName(port) {
  return PORTS[Number(port)] ?? null;
}

/** "22" → "22 (SSH)"; unknown ports stay bare. */
export function portLabel(port) {
  if (port === null || port === undefined || port === '-') return '–';
  const name = portName(port);
  return name ? `${port} (${name})` : String(port);
}

export function fieldLabel(field) {
  return FIELD_LABELS[field] ?? field;
}

/** Label for a top-list key (normalised: "srcaddr", "srcaddr,dstport", "conversation"). */
export function keyLabel(key) {
  if (key === 'conversation') return 'Conversations';
  return key.split(',').map(fieldLabel).join(' + ');
}

/** One printed key value of field `field` as a person wants to read it. */
export function valueLabel(field, value) {
  if (value === null || value === undefined || value === '-') return '(none)';
  switch (field) {
    case 'protocol': return protocolName(value);
    case 'srcport': case 'dstport': case 'port': return portLabel(value);
    case 'traffic-path': return TRAFFIC_PATHS[Number(value)] ? `${value} (${TRAFFIC_PATHS[Number(value)]})` : String(value);
    default: return String(value);
  }
}

/** A top-list row's key (array of printed values) as one label. */
export function rowLabel(entry, row) {
  const fields = entry.fields ?? [entry.key];
  if (entry.key === 'conversation') {
    return `${valueLabel('addr', row.key[0])} ↔ ${valueLabel('addr', row.key[1])}`;
  }
  return row.key.map((v, i) => valueLabel(fields[i], v)).join(' · ');
}

/** Unix seconds → "2023-11-14 22:13:20 UTC" (or without seconds). */
export function formatTime(sec, { seconds = true, zone = true } = {}) {
  if (sec === null || sec === undefined) return '–';
  const iso = new Date(sec * 1000).toISOString();
  const s = `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
  return zone ? `${s} UTC` : s;
}

/** Unix seconds → ISO-8601 as the filter language reads it: "2023-11-14T22:13:20Z". */
export function isoSeconds(sec) {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}Z`;
}

/** A duration in seconds as "1 h 5 min", "3 days 2 h", "45 s". */
export function formatDuration(sec) {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '–';
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 && m < 10 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  if (d >= 365) return `${(s / (365.25 * 86400)).toFixed(1)} years`;
  if (d >= 14) return `${d} days`;
  return h % 24 ? `${d} days ${h % 24} h` : `${d} days`;
}

/** Escape text for HTML. Only chart tooltips use HTML strings; everything else uses textContent. */
export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** True for RFC 1918 / RFC 6598 / loopback / link-local IPv4 and ULA / link-local IPv6. */
export function isPrivateAddress(addr) {
  if (typeof addr !== 'string') return false;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) || a === 127 || (a === 169 && b === 254);
  }
  const lower = addr.toLowerCase();
  return /^f[cd][0-9a-f]{2}:/.test(lower) || lower.startsWith('fe80:') || lower === '::1';
}

const TCP_FLAGS = [[1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG']];

/** tcp-flags value → "SYN FIN" style names (AWS logs FIN 1, SYN 2, RST 4, SYN-ACK 18). */
export function tcpFlagsLabel(v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n === 0) return String(v);
  const names = TCP_FLAGS.filter(([bit]) => n & bit).map(([, name]) => name);
  return `${n} (${names.join(' ')})`;
}

const TIME_FIELDS = new Set(['start', 'end']);
const COUNT_FIELDS = new Set(['packets', 'bytes', 'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded', 'packets-lost-ttl-expired']);

/** A record's value (as `records()` returns it: null, number or string) for a table cell. */
export function cellText(field, value) {
  if (value === null || value === undefined) return '–';
  if (TIME_FIELDS.has(field)) return formatTime(Number(value), { zone: false });
  if (COUNT_FIELDS.has(field)) return formatInt(Number(value));
  if (field === 'protocol') return protocolName(value);
  if (field === 'tcp-flags') return tcpFlagsLabel(value);
  return String(value);
}

/** Whether clicking a cell of this field should add `field = value` (counters and times no). */
export function isFilterableField(field) {
  return !TIME_FIELDS.has(field) && !COUNT_FIELDS.has(field) && field !== 'version';
}
