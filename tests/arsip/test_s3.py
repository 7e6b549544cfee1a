"""Softcopies in a private S3 bucket: stored under private/, served only through signed URLs.

The bucket is a real S3-speaking server on loopback (moto's server mode), and the storage
options are the ones ppid/settings.py builds when AWS_STORAGE_BUCKET_NAME is set: the
settings file is evaluated again with the AWS_* variables pointing at that server.

What moto checks and what it does not: it refuses an anonymous (unsigned) GET of an object
whose ACL is not public-read, which is what test 3 relies on. It does not verify presigned
signatures unless IAM authentication is switched on, and with it on it cannot serve presigned
URLs at all (it looks for an Authorization header). So the signature on the URL the app hands
out is checked here independently, by recomputing it with the SigV4 algorithm.
"""

import datetime
import hashlib
import hmac
import logging
import os
import re
import runpy
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer

from arsip.models import AccessLog, SoftcopyVersion
from dikecualikan import workflow

from . import samples

BUCKET = "ppid-softcopies-test"
REGION = "us-east-1"
KEY = SECRET = "testing"
ALL_USERS = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}
SIGNATURE_PARAMS = {
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
}


@pytest.fixture(scope="module")
def s3_server():
    """A moto S3 server on 127.0.0.1 (a free port) with one empty bucket; stopped afterwards."""
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.ERROR)
    with pytest.MonkeyPatch.context() as mp:
        # Fake credentials, no ~/.aws files, no instance metadata, no proxy for loopback.
        mp.setenv("AWS_ACCESS_KEY_ID", KEY)
        mp.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            mp.delenv(proxy, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name=REGION,
                aws_access_key_id=KEY,
                aws_secret_access_key=SECRET,
            )
            client.create_bucket(Bucket=BUCKET)
            yield SimpleNamespace(endpoint=endpoint, client=client)
            fetch(f"{endpoint}/moto-api/reset", method="POST")
        finally:
            server.stop()
            werkzeug_log.setLevel(level)


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """STORAGES exactly as ppid/settings.py makes them for a bucket on the moto server."""
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.setenv("AWS_S3_REGION_NAME", REGION)
    deployed = runpy.run_path(str(Path(settings.BASE_DIR) / "ppid" / "settings.py"))
    settings.STORAGES = deployed["STORAGES"]
    # The field resolved its storage at import time (see conftest): point it at the bucket.
    field = SoftcopyVersion._meta.get_field("file")
    original = field.storage
    field.storage = storages["private"]
    yield s3_server
    field.storage = original


@pytest.fixture
def stored(s3, make_record, desk):
    """A softcopy version uploaded into the bucket, with the bytes that were uploaded."""
    data = samples.pdf("Hasil pemeriksaan kesehatan calon")
    record = make_record("collected")
    version = workflow.upload_softcopy(
        record=record, by=desk, file=samples.upload("scan.pdf", data, "application/pdf")
    )
    return version, data


def fetch(url, method="GET"):
    """A real HTTP request to the moto server, never through a proxy: (status, headers, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_signature(url, secret):
    """Recompute the SigV4 query signature of a presigned GET URL, as S3 would to check it."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.pop("X-Amz-Signature")
    assert query["X-Amz-SignedHeaders"] == "host"
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items())
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    _key_id, date, region, service, terminal = query["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/{terminal}"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            query["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret).encode(), date)
    for part in (region, service, terminal):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def assert_signed_for_60_seconds(url, endpoint):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == endpoint
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert SIGNATURE_PARAMS <= set(query)
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "60"
    assert re.fullmatch(rf"{KEY}/\d{{8}}/{REGION}/s3/aws4_request", query["X-Amz-Credential"])
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    signed_at = signed_at.replace(tzinfo=datetime.UTC).timestamp()
    assert abs(time.time() - signed_at) < 30
    assert sigv4_signature(url, SECRET) == query["X-Amz-Signature"]
    return parts, query


def test_an_upload_through_the_app_lands_in_the_bucket_under_private_with_a_server_made_name(
    client, s3, make_record, desk
):
    record = make_record("collected")
    data = samples.pdf("Rekam medis calon anggota")
    client.force_login(desk)
    response = client.post(
        reverse("arsip:upload", args=[record.pk]),
        {"file": samples.upload("rekam-medis-calon.pdf", data, "application/pdf")},
    )
    assert response.status_code == 302
    version = SoftcopyVersion.objects.get()
    assert re.fullmatch(r"softcopy/pontianakkota/[0-9a-f]{32}", version.file.name)
    key = f"private/{version.file.name}"
    listed = s3.client.list_objects_v2(Bucket=BUCKET, Prefix="private/softcopy/")["Contents"]
    assert key in {item["Key"] for item in listed}
    body = s3.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert body == data
    assert hashlib.sha256(body).hexdigest() == version.sha256
    assert (version.size, version.original_name) == (len(data), "rekam-medis-calon.pdf")


def test_a_download_is_logged_then_redirected_to_a_signed_url_that_serves_the_file_for_60_seconds(
    client, s3, stored, ppid
):
    version, data = stored
    client.force_login(ppid)
    response = client.post(
        reverse("arsip:download", args=[version.pk]),
        {"reason": "Menanggapi keberatan pemohon informasi"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    url = response["Location"]
    parts, query = assert_signed_for_60_seconds(url, s3.endpoint)
    assert parts.path == f"/{BUCKET}/private/{version.file.name}"
    assert query["response-content-disposition"] == 'attachment; filename="scan.pdf"'
    assert query["response-content-type"] == "application/pdf"

    status, headers, body = fetch(url)
    assert status == 200
    assert body == data
    assert headers["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert headers["Content-Type"] == "application/pdf"

    log = AccessLog.objects.get()
    assert (log.user, log.version, log.sha256, log.reason, log.ip) == (
        ppid,
        version,
        version.sha256,
        "Menanggapi keberatan pemohon informasi",
        "10.1.2.3",
    )


def test_the_object_url_without_a_signature_is_refused_by_the_server(client, s3, stored, ppid):
    version, data = stored
    key = f"private/{version.file.name}"
    status, _headers, body = fetch(f"{s3.endpoint}/{BUCKET}/{key}")
    assert status == 403 and data not in body

    # The app's own link with the signature taken off is refused just the same.
    client.force_login(ppid)
    signed = client.post(
        reverse("arsip:download", args=[version.pk]), {"reason": "Memeriksa tautan tanpa tanda"}
    )["Location"]
    parts = urlsplit(signed)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k not in SIGNATURE_PARAMS]
    unsigned = parts._replace(query="&".join(f"{k}={quote(v, safe='')}" for k, v in kept))
    assert fetch(unsigned.geturl())[0] == 403

    grants = s3.client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert grants and not {g["Grantee"].get("URI") for g in grants} & ALL_USERS

    # The same server does serve a public-read object to anyone: the 403s above are the
    # softcopy's private ACL at work, not a server that refuses everything.
    s3.client.put_object(Bucket=BUCKET, Key="kontrol/terbuka.txt", Body=b"ok", ACL="public-read")
    status, _headers, body = fetch(f"{s3.endpoint}/{BUCKET}/kontrol/terbuka.txt")
    assert (status, body) == (200, b"ok")


def test_every_softcopy_url_is_signed_for_60_seconds_and_only_the_public_storage_is_unsigned(s3):
    private, public = storages["private"], storages["default"]
    assert SoftcopyVersion._meta.get_field("file").storage is private
    assert (private.querystring_auth, private.querystring_expire, private.custom_domain) == (
        True,
        60,
        None,
    )
    assert (private.location, private.default_acl, private.file_overwrite) == (
        "private",
        "private",
        False,
    )
    # Even a plain url() call, with no expiry given, is signed for 60 seconds.
    assert_signed_for_60_seconds(private.url("softcopy/" + "0" * 32), s3.endpoint)

    assert public.querystring_auth is False
    public_url = public.url("keputusan/2025/keputusan.pdf")
    assert public_url == f"{s3.endpoint}/{BUCKET}/public/keputusan/2025/keputusan.pdf"
    assert not urlsplit(public_url).query


def test_verify_fixity_walks_the_whole_private_prefix_of_the_bucket_and_quarantines_there(
    stored, capsys
):
    from django.core.files.base import ContentFile
    from django.core.management import CommandError, call_command

    version, _data = stored
    private = storages["private"]
    stray = private.save("salinan/dokumen.pdf", ContentFile(b"%PDF-1.4 salinan liar"))
    with pytest.raises(CommandError) as failed:
        call_command("verify_fixity", "--quarantine")
    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    # Other tests of this module left objects in the bucket too: all of them are untracked.
    assert "ok 1, changed 0, missing 0" in out and f"Quarantined: {stray} -> quarantine/" in out
    assert not private.exists(stray)
    assert [n for n in private.listdir("quarantine")[0]]  # quarantine/<run>/ in the bucket
    call_command("verify_fixity")  # the quarantine is not walked: the bucket is clean now
    assert private.exists(version.file.name)
