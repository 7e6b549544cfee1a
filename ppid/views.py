"""View pieces both apps' pages share."""

from django.contrib import messages
from django.shortcuts import render

from dikecualikan.workflow import WorkflowError


def take_step(request, form, step, done, *, fields=None, **arguments):
    """Take a workflow step with a posted form's data; return its result, or None.

    On success the message `done` is shown (a callable gets the step's result); on a
    refusal the form shows why, beside the fields it names, and nothing was written.
    `fields` picks the form's fields the step takes (all by default).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    if fields is not None:
        data = {name: data[name] for name in fields}
    try:
        result = step(by=request.user, **arguments, **data)
    except WorkflowError as error:
        error.add_to(form)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


def confirm_page(
    request,
    *,
    title,
    what,
    button,
    back,
    told="",
    version=None,
    final=True,
    acknowledge=None,
    acknowledge_name="acknowledged",
):
    """The page before a step that cannot be undone: what will happen, who is told, a button
    that names the action. It posts to its own address, where the step is taken.

    `acknowledge`, when given, is a statement the person must tick (posted as
    `acknowledge_name`); the step itself refuses when it is needed and not ticked.
    """
    context = {
        "title": title,
        "what": what,
        "told": told,
        "button": button,
        "back": back,
        "version": version,
        "final": final,
        "acknowledge": acknowledge,
        "acknowledge_name": acknowledge_name,
    }
    return render(request, "dikecualikan/confirm.html", context)
