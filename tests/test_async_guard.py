"""Django's async-safety guard is on for every test outside the browser tests.

The browser tests switch it off while Playwright runs (tests/browser/conftest.py); nothing may
switch it off for the whole run, or ORM calls from async code would pass here and fail in
production.
"""

import asyncio
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SynchronousOnlyOperation


# Transactional, so pytest-django runs it with the transactional tests, after the browser tests:
# it also catches a Playwright event loop left running (asyncio.run would refuse to start).
@pytest.mark.django_db(transaction=True)
def test_the_orm_refuses_to_run_inside_an_event_loop():
    async def count_users() -> int:
        return get_user_model().objects.count()

    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(count_users())
