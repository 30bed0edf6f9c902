"""Local stand-ins for AWS services that moto does not have, for the tests and the demo.

Only the standard library: the demo ships them, and it depends on nothing
test-only.  They listen on 127.0.0.1 and are driven through botocore's own
clients (``AWS_ENDPOINT_URL_*``), so botocore's parser checks their answers.
"""
